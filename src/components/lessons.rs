//! The Lessons view (`lessons`), beside the editor: the course list (its lessons with their
//! progress, the files that did not load, opening a course file or folder) and the lesson in
//! the editor (its task, numbered steps with their results and hints, Check, Show solution,
//! Reset, Next). Hooks: `docs/ui-test-hooks-lessons.md`.

use crate::app::dom;
use crate::bridge::EditorBridge;
use crate::lessons::{Ask, CourseState, Lessons, Source};
use crate::markdown;
use crate::state::Action;
use crate::wire::{CourseView, LessonView};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, Clone)]
pub struct LessonsPaneProps {
    pub lessons: Rc<Lessons>,
    /// The editor's text changed since the last check (computed by the app, so that typing
    /// does not re-render this view).
    pub stale: bool,
    pub bridge: EditorBridge,
    pub dispatch: Callback<Action>,
}

// By identity: the reducer replaces `lessons` (`Rc::make_mut` on a shared state) whenever it
// changes, and a derived comparison of a whole course costs the first load code.
impl PartialEq for LessonsPaneProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.lessons, &other.lessons)
            && self.stale == other.stale
            && self.bridge == other.bridge
            && self.dispatch == other.dispatch
    }
}

fn md(text: &str) -> Html {
    Html::from_html_unchecked(AttrValue::from(markdown::to_html(text)))
}

fn inline(text: &str) -> Html {
    Html::from_html_unchecked(AttrValue::from(markdown::inline_to_html(text)))
}

// One function component; the pieces below are plain functions (each component costs the
// first load its own copy of Yew's machinery). Hints are `<details>`, which needs no state.
#[function_component(LessonsPane)]
pub fn lessons_pane(props: &LessonsPaneProps) -> Html {
    let l = &props.lessons;
    // The confirmation takes the focus, and gives it back to its button.
    let asked = use_mut_ref(|| None::<Ask>);
    use_effect_with(l.asking, move |asking| {
        let before = asked.replace(*asking);
        match (asking, before) {
            (Some(_), _) => dom::focus_id("lesson-cancel"),
            (None, Some(Ask::Solution)) => dom::focus_id("lesson-solution"),
            (None, Some(Ask::Reset)) => dom::focus_id("lesson-reset"),
            (None, None) => {}
        }
    });
    let body = match l.lesson() {
        Some((i, lesson)) if !l.listing => lesson_view(props, i, lesson),
        _ => course_list(props),
    };
    html! {
        <aside id="lessons-pane" class="lessons-pane" data-testid="lessons" aria-label="Lessons">
            { body }
        </aside>
    }
}

fn course_list(props: &LessonsPaneProps) -> Html {
    let l = &props.lessons;
    let d = &props.dispatch;
    let back = l.lesson().map(|(_, lesson)| lesson.id.clone());
    let content = match &l.course {
        CourseState::NotLoaded | CourseState::Loading => html! {
            <p class="hint" role="status" data-testid="lessons-loading">{ "Loading the course…" }</p>
        },
        CourseState::Failed(why) => {
            let (source, files) = (l.source.clone(), l.files.clone());
            html! {
                <div class="lesson-alert" role="alert" data-testid="course-failed">
                    <p>{ why }</p>
                    <button type="button" class="btn" data-testid="course-retry"
                        onclick={d.reform(move |_: MouseEvent| Action::OpenCourse(source.clone(), files.clone()))}>
                        { "Try again" }
                    </button>
                </div>
            }
        }
        CourseState::Loaded(course) => loaded_course(props, course),
    };
    html! {
        <div class="lessons-body">
            <div class="lessons-bar">
                if let Some(id) = back {
                    <button type="button" class="btn" data-testid="lesson-back"
                        onclick={d.reform(move |_: MouseEvent| Action::OpenLesson(id.clone()))}>
                        { "Back to the lesson" }
                    </button>
                }
                <button type="button" class="btn" data-testid="lessons-close"
                    onclick={d.reform(|_: MouseEvent| Action::ToggleLessons)}>
                    { "Back to the playground" }
                </button>
            </div>
            { content }
            { course_opener(&l.source, d) }
        </div>
    }
}

fn loaded_course(props: &LessonsPaneProps, course: &CourseView) -> Html {
    let l = &props.lessons;
    let d = &props.dispatch;
    let title = if course.title.is_empty() {
        l.source.describe()
    } else {
        course.title.clone()
    };
    html! {
        <>
            <h2 class="lessons-title" data-testid="course-title">{ title }</h2>
            <p class="hint">{ format!("From {}.", l.source.describe()) }</p>
            <div class="md">{ md(&course.description) }</div>
            if !course.errors.is_empty() {
                <div class="lesson-alert" role="alert" data-testid="course-errors">
                    <h3>{ if course.lessons.is_empty() { "The course could not be loaded" } else { "Some lessons could not be loaded; the others are below" } }</h3>
                    <ul>
                        { for course.errors.iter().map(|e| html! {
                            <li data-testid="course-error" data-file={e.file.clone()}
                                data-line={e.line.to_string()} data-column={e.column.to_string()}>
                                <code>{ format!("{}:{}:{}", e.file, e.line, e.column) }</code>{ " " }{ &e.message }
                            </li>
                        }) }
                    </ul>
                </div>
            }
            <ol class="lesson-list" data-testid="lesson-list" aria-label="Lessons of the course">
                { for course.lessons.iter().map(|lesson| {
                    let p = l.progress_of(&course.id, &lesson.id);
                    let steps = lesson.steps.len();
                    let (status, label) = match p {
                        Some(p) if p.solved() => ("passed", "done".to_string()),
                        Some(p) => ("started", format!("{} of {steps} steps", p.passed.len().min(steps))),
                        None => ("new", format!("{steps} steps")),
                    };
                    let current = l.current.as_ref().is_some_and(|c| c.course == course.id && c.lesson == lesson.id);
                    let id = lesson.id.clone();
                    html! {
                        <li>
                            <button type="button" class={classes!("lesson-item", current.then_some("current"))}
                                data-testid="lesson-item" data-lesson={lesson.id.clone()} data-status={status}
                                aria-current={current.then_some("true")}
                                onclick={d.reform(move |_: MouseEvent| Action::OpenLesson(id.clone()))}>
                                <span>{ inline(&lesson.title) }</span>
                                <span class={classes!("lesson-progress", status)}>{ label }</span>
                            </button>
                        </li>
                    }
                }) }
            </ol>
        </>
    }
}

/// Step status: the last check if it is about this lesson, else the steps that passed then.
fn step_status(l: &Lessons, i: usize) -> (&'static str, Vec<String>) {
    if let Some(report) = l
        .report
        .as_ref()
        .filter(|r| Some(&r.lesson) == l.current.as_ref())
    {
        return match &report.result {
            Ok(steps) => match steps.get(i) {
                Some(s) => {
                    let status = match s.status.as_str() {
                        "passed" => "passed",
                        "failed" => "failed",
                        _ => "could_not_run",
                    };
                    (status, s.problems.clone())
                }
                None => ("unchecked", Vec::new()),
            },
            Err(why) => ("could_not_run", vec![why.clone()]),
        };
    }
    let passed = l
        .current
        .as_ref()
        .and_then(|c| l.progress.get(&c.key()))
        .is_some_and(|p| p.passed.contains(&(i + 1)));
    (if passed { "passed" } else { "unchecked" }, Vec::new())
}

fn lesson_view(props: &LessonsPaneProps, index: usize, lesson: &LessonView) -> Html {
    let l = &props.lessons;
    let d = &props.dispatch;
    let total = l.course().map(|c| c.lessons.len()).unwrap_or(0);
    let checking = l.pending.is_some();
    let report = l
        .report
        .as_ref()
        .filter(|r| Some(&r.lesson) == l.current.as_ref());
    let has_previous = l
        .current
        .as_ref()
        .and_then(|c| l.progress.get(&c.key()))
        .is_some_and(|p| p.previous.is_some());
    let all_passed = report.is_some_and(|r| r.result.as_ref().is_ok_and(|s| r.passed() == s.len()));
    let mut summary = match report.map(|r| (r, &r.result)) {
        None if checking => "Checking…".to_string(),
        None => "Not checked yet: press Check (Ctrl+Shift+Enter).".to_string(),
        Some((_, Err(why))) => format!("The steps could not be checked: {why}"),
        Some((_, Ok(steps))) if all_passed => {
            format!("All {} steps passed. Well done!", steps.len())
        }
        Some((r, Ok(steps))) => format!("{} of {} steps passed.", r.passed(), steps.len()),
    };
    if props.stale && report.is_some() {
        summary.push_str(" (You changed the text since: check again.)");
    }
    let ask = |kind: Ask| d.reform(move |_: MouseEvent| Action::AskLesson(Some(kind)));
    html! {
        <div class="lessons-body">
            <div class="lessons-bar">
                <button type="button" class="btn" data-testid="lesson-list-open"
                    onclick={d.reform(|_: MouseEvent| Action::ShowCourseList)}>
                    { "All lessons" }
                </button>
                <span class="hint">{ format!("Lesson {} of {total}", index + 1) }</span>
                <button type="button" class="btn" data-testid="lessons-close"
                    onclick={d.reform(|_: MouseEvent| Action::ToggleLessons)}>
                    { "Back to the playground" }
                </button>
            </div>
            <h2 class="lessons-title" data-testid="lesson-title" data-lesson={lesson.id.clone()}>{ inline(&lesson.title) }</h2>
            <div class="md" data-testid="lesson-text">{ md(&lesson.text) }</div>
            <ol class="lesson-steps" aria-label="Steps" key={lesson.id.clone()}>
                { for lesson.steps.iter().enumerate().map(|(i, step)| {
                    let (status, problems) = step_status(l, i);
                    let label = match status {
                        "passed" => "passed",
                        "failed" => "not yet",
                        "could_not_run" => "could not be checked",
                        _ => "not checked",
                    };
                    html! {
                        <li class={classes!("lesson-step", status)} data-testid="lesson-step"
                            data-step={(i + 1).to_string()} data-status={status}>
                            <div class="step-head">
                                <span class="step-title">{ inline(&step.title) }</span>
                                <span class={classes!("step-status", status)} data-testid="step-status">{ label }</span>
                            </div>
                            <div class="md">{ md(&step.text) }</div>
                            if !problems.is_empty() {
                                <ul class="step-problems" data-testid="step-problems">
                                    { for problems.iter().map(|m| html! { <li>{ inline(m) }</li> }) }
                                </ul>
                            }
                            if let Some(hint) = &step.hint {
                                <details class="step-hint">
                                    <summary data-testid="step-hint-toggle">{ "Hint" }</summary>
                                    <div class="md" data-testid="step-hint">{ md(hint) }</div>
                                </details>
                            }
                        </li>
                    }
                }) }
            </ol>
            <p class={classes!("lesson-summary", all_passed.then_some("passed"))} role="status"
                data-testid="lesson-result" data-checks={report.map_or(0, |r| r.id).to_string()}>
                { summary }
            </p>
            <div class="lesson-actions">
                <button type="button" class="btn btn-primary" data-testid="lesson-check"
                    aria-keyshortcuts="Control+Shift+Enter Meta+Shift+Enter" disabled={checking}
                    onclick={d.reform(|_: MouseEvent| Action::CheckLesson)}>
                    { if checking { "Checking…" } else { "Check" } }
                </button>
                <button type="button" id="lesson-solution" class="btn" data-testid="lesson-solution" onclick={ask(Ask::Solution)}>
                    { "Show solution" }
                </button>
                <button type="button" id="lesson-reset" class="btn" data-testid="lesson-reset" onclick={ask(Ask::Reset)}>
                    { "Reset this lesson" }
                </button>
                if has_previous {
                    <button type="button" class="btn" data-testid="lesson-restore"
                        onclick={d.reform(|_: MouseEvent| Action::RestoreAttempt)}>
                        { "Bring back my text" }
                    </button>
                }
                if index + 1 < total {
                    <button type="button" class={classes!("btn", all_passed.then_some("btn-primary"))}
                        data-testid="lesson-next" onclick={d.reform(|_: MouseEvent| Action::NextLesson)}>
                        { "Next lesson" }
                    </button>
                }
            </div>
            if let Some(kind) = l.asking {
                { confirm(kind, props) }
            }
        </div>
    }
}

/// The confirmation of Show solution and Reset (`lesson-confirm` / `lesson-cancel`).
fn confirm(kind: Ask, props: &LessonsPaneProps) -> Html {
    let d = &props.dispatch;
    let (title, text, button, solution) = match kind {
        Ask::Solution => (
            "Show the solution?",
            "This replaces your policy and scenario with the lesson's solution.",
            "Show solution",
            true,
        ),
        Ask::Reset => (
            "Reset this lesson?",
            "This puts the lesson's starting policy and scenario back and clears its passed steps.",
            "Reset",
            false,
        ),
    };
    let bridge = props.bridge.clone();
    let on_confirm = d.reform(move |_: MouseEvent| {
        bridge.focus();
        if solution {
            Action::ShowSolution
        } else {
            Action::ResetLesson
        }
    });
    let onkeydown = {
        let d = d.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                d.emit(Action::AskLesson(None));
            }
        })
    };
    html! {
        <div class="backdrop">
            <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="lesson-confirm-title"
                aria-describedby="lesson-confirm-desc" {onkeydown}>
                <h2 id="lesson-confirm-title">{ title }</h2>
                <p id="lesson-confirm-desc">{ text }{ " Your text is kept: “Bring back my text” restores it." }</p>
                <div class="dialog-buttons">
                    <button type="button" id="lesson-cancel" class="btn" data-testid="lesson-cancel"
                        onclick={d.reform(|_: MouseEvent| Action::AskLesson(None))}>{ "Cancel" }</button>
                    <button type="button" class="btn btn-danger" data-testid="lesson-confirm"
                        onclick={on_confirm}>{ button }</button>
                </div>
            </div>
        </div>
    }
}

/// Open a course from a file (a bundle or one lesson) or a folder, or go back to the
/// built-in course.
fn course_opener(source: &Source, dispatch: &Callback<Action>) -> Html {
    let on_files = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let Some(list) = input.files() else {
                return;
            };
            let files: Vec<web_sys::File> =
                (0..list.length()).filter_map(|i| list.get(i)).collect();
            // Choosing the same file again must fire `change` again.
            input.set_value("");
            if files.is_empty() {
                return;
            }
            let dispatch = dispatch.clone();
            yew::platform::spawn_local(async move {
                match read_files(&files).await {
                    Ok((name, files)) => {
                        dispatch.emit(Action::OpenCourse(Source::File(name), Some(Rc::new(files))))
                    }
                    Err(e) => {
                        dispatch.emit(Action::Notify(format!("Could not read the course: {e}")))
                    }
                }
            });
        })
    };
    html! {
        <div class="course-open">
            <h3>{ "Another course" }</h3>
            <p class="hint">{ "A trainer's course: a bundle (.json, from apim-policy lesson bundle), one lesson file, or a course folder with course.json." }</p>
            <label class="btn file-btn">
                { "Open a course file…" }
                <input type="file" class="sr-only" accept=".json,application/json" data-testid="course-file"
                    onchange={on_files.clone()} />
            </label>
            <label class="btn file-btn">
                { "Open a course folder…" }
                <input type="file" class="sr-only" webkitdirectory=true multiple=true data-testid="course-folder"
                    onchange={on_files} />
            </label>
            if *source != Source::Builtin {
                <button type="button" class="btn" data-testid="course-builtin"
                    onclick={dispatch.reform(|_: MouseEvent| Action::OpenCourse(Source::Builtin, None))}>
                    { "The built-in course" }
                </button>
            }
        </div>
    }
}
/// The files' text with their paths in the folder (`webkitRelativePath`) or their names; the
/// name of what was opened (the file, or the folder).
async fn read_files(files: &[web_sys::File]) -> Result<(String, Vec<(String, String)>), String> {
    let mut out = Vec::new();
    for f in files {
        let path = js_sys::Reflect::get(f, &"webkitRelativePath".into())
            .ok()
            .and_then(|v| v.as_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| f.name());
        // A folder holds other files too: only JSON, XML and Markdown are course material.
        let lower = path.to_ascii_lowercase();
        if files.len() > 1 && ![".json", ".xml", ".md"].iter().any(|x| lower.ends_with(x)) {
            continue;
        }
        let text = wasm_bindgen_futures::JsFuture::from(f.text())
            .await
            .map_err(crate::bridge::js_error)?;
        out.push((path, text.as_string().unwrap_or_default()));
    }
    let name = match files {
        [one] => one.name(),
        _ => out
            .first()
            .and_then(|(p, _)| p.split('/').next())
            .unwrap_or("folder")
            .to_string(),
    };
    Ok((name, out))
}
