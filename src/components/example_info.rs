//! "About this example": the loaded example's explanation (its README) and the requests its
//! scenario sends.

use super::rich_text;
use crate::examples::{self, Example};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct ExampleInfoProps {
    pub example: Option<&'static Example>,
    pub scenario: Rc<str>,
}

#[function_component(ExampleInfo)]
pub fn example_info(props: &ExampleInfoProps) -> Html {
    let Some(example) = props.example else {
        return html! {
            <div class="example-info">
                <p class="muted">
                    { "This policy does not come from an example. Pick one from the Examples menu \
                       to see what it shows and why." }
                </p>
            </div>
        };
    };
    let requests = examples::requests_of(&props.scenario);
    html! {
        <article class="example-info" data-example-info={example.id}>
            <h2>{ example.title() }</h2>
            if let Some(why) = example.about_an_error {
                <p class="callout callout-error"><strong>{ "Shows an error: " }</strong>{ why }</p>
            }
            { for example.paragraphs().iter().map(|p| html! {
                <p>{ rich_text(p) }</p>
            }) }
            if !requests.is_empty() {
                <h3>{ if requests.len() == 1 { "The scenario's request" } else { "The scenario's requests" } }</h3>
                <ol class="requests">
                    { for requests.iter().map(|(method, url)| html! {
                        <li><code>{ format!("{method} {url}") }</code></li>
                    }) }
                </ol>
                <p class="muted">
                    { if requests.len() == 1 { "Running it" } else { "Running them" } }
                    { " needs the simulator, which this build does not have yet." }
                </p>
            }
        </article>
    }
}
