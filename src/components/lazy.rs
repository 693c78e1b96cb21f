//! Panels whose code is not in the first load: the side panel's tabs but Problems (Simulate,
//! Export, and the small Outline and Example, which the side panel prefetches as soon as the
//! pointer or the keyboard's focus reaches its tab list, so that a tab switch still shows them at
//! once), the Lessons view, the rule pages and the Share panel. Each is a `#[wasm_split(chunk)]` function that returns the panel's view
//! function; in the web build `scripts/build-app.mjs` moves every function that only it
//! reaches (the panel's components, and the code only they call) into `split_<chunk>.wasm`,
//! fetched and instantiated against the app's memory the first time the function is awaited.
//! Natively the function is simply called.
//!
//! [`Lazy`] renders a panel: nothing while it is hidden and not loaded yet, "Loading…" while
//! its chunk loads (it starts loading when the panel is first shown), an error with a Retry
//! button if the chunk cannot be fetched (the page went offline), and the panel itself once
//! loaded (then synchronously, on every render).
//!
//! **Another lazy panel**: its props type (`Clone`) implements [`Split`] with the [`split!`]
//! macro (a chunk name, the props type, and the component), and is rendered through
//! `<Lazy panel={Panel::new(ThatProps { … })} active={…} />`. Nothing in the first load may name the component
//! itself, or it stays in the first load (the budget test prints the module sizes).

use super::example_info::{ExampleInfo, ExampleInfoProps};
use super::export_panel::{ExportPanel, ExportPanelProps};
use super::lessons::{LessonsPane, LessonsPaneProps};
use super::outline::{Outline, OutlineProps};
use super::rule_page::{RulePage, RulePageProps};
use super::share_button::{SharePanel, SharePanelProps};
use super::simulate::{SimulatePanel, SimulatePanelProps};
use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::OnceLock;
use wasm_split_helpers::SplitLoaderError;
use yew::prelude::*;

/// A panel's view: what its chunk hands back.
pub type View<P> = fn(&P) -> Html;

/// The future of a chunk's load.
pub type Loading<P> = Pin<Box<dyn Future<Output = Result<View<P>, SplitLoaderError>>>>;

/// A panel whose code is in a chunk of its own.
pub trait Split: PartialEq + Sized + 'static {
    /// The chunk's name (`split_<name>.wasm`), for messages.
    const CHUNK: &'static str;
    /// Where the view is kept once its chunk has loaded.
    fn slot() -> &'static OnceLock<View<Self>>;
    /// Load the chunk (the first call fetches it; later calls are ready at once).
    fn load() -> Loading<Self>;
}

/// `split!(chunk, Props, Component)`: `Props: Split`, its view renders `Component` with a clone
/// of the props (`Props: Clone`, which a derived `Properties` with `Rc` fields makes cheap).
macro_rules! split {
    ($chunk:ident, $props:ty, $component:ident) => {
        const _: () = {
            static SLOT: OnceLock<View<$props>> = OnceLock::new();

            fn view(props: &$props) -> Html {
                html! { <$component ..props.clone() /> }
            }

            #[wasm_split_helpers::wasm_split($chunk, fallible)]
            fn chunk() -> Result<View<$props>, SplitLoaderError> {
                Ok(view)
            }

            impl Split for $props {
                const CHUNK: &'static str = stringify!($chunk);
                fn slot() -> &'static OnceLock<View<$props>> {
                    &SLOT
                }
                fn load() -> Loading<$props> {
                    Box::pin(chunk())
                }
            }
        };
    };
}

split!(simulate, SimulatePanelProps, SimulatePanel);
split!(export, ExportPanelProps, ExportPanel);
split!(lessons, LessonsPaneProps, LessonsPane);
split!(rule_page, RulePageProps, RulePage);
split!(share, SharePanelProps, SharePanel);
split!(outline, OutlineProps, Outline);
split!(example, ExampleInfoProps, ExampleInfo);

/// Start loading `P`'s chunk before its panel is shown (the pointer is over the tab that shows
/// it), so that the panel appears at once when it is.
pub fn prefetch<P: Split>() {
    if P::slot().get().is_none() {
        yew::platform::spawn_local(async {
            let _ = load::<P>().await;
        });
    }
}

/// Load `P`'s chunk and keep its view; whether that worked.
async fn load<P: Split>() -> bool {
    match P::load().await {
        Ok(view) => {
            // Another load may have stored it first: the same function.
            let _ = P::slot().set(view);
            true
        }
        Err(_) => false,
    }
}

/// A lazy panel's props with what its chunk does with them, without their type: one [`Lazy`]
/// component (one copy of Yew's machinery in the first load) serves every panel.
#[derive(Clone)]
pub struct Panel {
    props: Rc<dyn Any>,
    split: &'static dyn Erased,
}

impl Panel {
    pub fn new<P: Split>(props: P) -> Panel {
        Panel {
            props: Rc::new(props),
            split: &Of::<P>(PhantomData),
        }
    }
}

impl PartialEq for Panel {
    fn eq(&self, other: &Panel) -> bool {
        self.split.chunk() == other.split.chunk() && self.split.same(&*self.props, &*other.props)
    }
}

trait Erased {
    fn chunk(&self) -> &'static str;
    fn ready(&self) -> bool;
    fn view(&self, props: &dyn Any) -> Html;
    fn load(&self) -> Pin<Box<dyn Future<Output = bool>>>;
    fn same(&self, a: &dyn Any, b: &dyn Any) -> bool;
}

struct Of<P>(PhantomData<P>);

impl<P: Split> Erased for Of<P> {
    fn chunk(&self) -> &'static str {
        P::CHUNK
    }
    fn ready(&self) -> bool {
        P::slot().get().is_some()
    }
    fn view(&self, props: &dyn Any) -> Html {
        match (P::slot().get(), props.downcast_ref::<P>()) {
            (Some(view), Some(props)) => view(props),
            _ => html! {},
        }
    }
    fn load(&self) -> Pin<Box<dyn Future<Output = bool>>> {
        Box::pin(load::<P>())
    }
    fn same(&self, a: &dyn Any, b: &dyn Any) -> bool {
        matches!((a.downcast_ref::<P>(), b.downcast_ref::<P>()), (Some(a), Some(b)) if a == b)
    }
}

#[derive(Properties, PartialEq)]
pub struct LazyProps {
    /// The panel ([`Panel::new`] of its own props).
    pub panel: Panel,
    /// The panel is shown: load its chunk if that has not happened yet.
    pub active: bool,
}

/// Where a chunk's load stands, for this component's re-render.
#[derive(Clone, Copy, PartialEq)]
enum Status {
    Idle,
    Loading,
    Failed,
}

#[function_component(Lazy)]
pub fn lazy(props: &LazyProps) -> Html {
    let split = props.panel.split;
    let status = use_state_eq(|| Status::Idle);
    // Bumped to retry after a failure.
    let attempt = use_state_eq(|| 0u32);
    let wanted = props.active && !split.ready();
    {
        let status = status.clone();
        use_effect_with((wanted, *attempt), move |&(wanted, _)| {
            if wanted && *status != Status::Loading {
                status.set(Status::Loading);
                yew::platform::spawn_local(async move {
                    let ok = split.load().await;
                    status.set(if ok { Status::Idle } else { Status::Failed });
                });
            }
        });
    }
    if split.ready() {
        return split.view(&*props.panel.props);
    }
    if !props.active {
        return html! {};
    }
    match *status {
        Status::Failed => {
            let retry = {
                let attempt = attempt.clone();
                let status = status.clone();
                Callback::from(move |_: MouseEvent| {
                    status.set(Status::Idle);
                    attempt.set(*attempt + 1);
                })
            };
            html! {
                <div class="panel-load-failed" role="alert" data-testid="panel-load-failed">
                    <p>{ format!("This panel's code ({}) could not be loaded: the page may be offline.", split.chunk()) }</p>
                    <button type="button" class="button" onclick={retry}>{ "Retry" }</button>
                </div>
            }
        }
        Status::Idle | Status::Loading => html! {
            <p class="panel-loading" role="status" data-testid="panel-loading">{ "Loading…" }</p>
        },
    }
}
