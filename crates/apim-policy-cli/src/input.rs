//! Reading the files a command is given: files, folders (every `*.xml` below them, sorted) and
//! `-` for standard input.

use apim_policy::catalog::Scope;
use apim_policy::lint::{APIOPS_ROOT_ENTRIES, scope_from_path};
use std::io::Read;
use std::path::{Path, PathBuf};

pub struct Input {
    /// The name to show (the path as given, or `<stdin>`).
    pub name: String,
    /// The file it came from (`None` for standard input).
    pub path: Option<PathBuf>,
    pub text: String,
    /// The byte offset of the first invalid UTF-8 sequence (the text has U+FFFD there).
    pub invalid_utf8_at: Option<usize>,
}

/// Read every input; an unreadable path is an error naming it.
pub fn read_inputs(paths: &[PathBuf]) -> Result<Vec<Input>, String> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("<stdin>: {e}"))?;
            let decoded = apim_policy::text::decode_owned(bytes);
            inputs.push(Input {
                name: "<stdin>".into(),
                path: None,
                text: decoded.text,
                invalid_utf8_at: decoded.invalid_at,
            });
        } else if path.is_dir() {
            let mut files = Vec::new();
            collect_xml(path, &mut files).map_err(|e| format!("{}: {e}", path.display()))?;
            files.sort();
            for file in files {
                inputs.push(read_file(&file)?);
            }
        } else {
            inputs.push(read_file(path)?);
        }
    }
    Ok(inputs)
}

pub fn read_file(path: &Path) -> Result<Input, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    // Invalid UTF-8 becomes U+FFFD: the rest of the file is still checked.
    let decoded = apim_policy::text::decode_owned(bytes);
    Ok(Input {
        name: path.display().to_string(),
        path: Some(path.to_path_buf()),
        text: decoded.text,
        invalid_utf8_at: decoded.invalid_at,
    })
}

pub fn collect_xml(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_xml(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// The scope a policy file's place in an APIOps artifacts folder gives it: the layout of
/// [`scope_from_path`], and the service's global policy, a `policy.xml` next to one of the
/// folder's other entries (`apis`, `products`, `named values`, …). `None`: the path says nothing.
pub fn scope_from_file(path: &Path) -> Option<Scope> {
    if let Some(scope) = scope_from_path(&path.to_string_lossy()) {
        return Some(scope);
    }
    let name = path.file_name()?.to_string_lossy();
    if !name.eq_ignore_ascii_case("policy.xml") {
        return None;
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    APIOPS_ROOT_ENTRIES
        .iter()
        .any(|entry| dir.join(entry).exists())
        .then_some(Scope::Global)
}
