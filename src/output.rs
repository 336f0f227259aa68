//! Writing files so that a failure never leaves a half-written one behind.

use std::io::Write;
use std::path::Path;

/// The buffer between a large output and the file or pipe it goes to: a 10,000-unit analysis is
/// 310 MB of JSON, which an 8 KiB buffer writes in 38,000 system calls.
pub const WRITE_BUFFER: usize = 1 << 20;

/// Writes `bytes` to `path` through a temporary file in the same directory, then renames it
/// into place, so readers see either the old file or the whole new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |file| file.write_all(bytes))
}

/// [`write_atomic`] for output written piece by piece (a large JSON serialised straight into
/// the temporary file, never held in memory whole).
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = std::io::BufWriter::with_capacity(WRITE_BUFFER, std::fs::File::create(&temp)?);
        write(&mut file)?;
        let file = file.into_inner().map_err(std::io::IntoInnerError::into_error)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Writes a set of files into `dir` as one set: every file goes to a temporary file first, and
/// only when all are written (and no target is in the way) are they renamed into place, so a
/// failure part-way leaves the previous set untouched and no temporary file behind. Temporary
/// files left by killed runs are removed first.
pub fn write_set(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), (std::path::PathBuf, std::io::Error)> {
    std::fs::create_dir_all(dir).map_err(|e| (dir.to_path_buf(), e))?;
    remove_stale_temporaries(dir);
    let pid = std::process::id();
    let mut written: Vec<(std::path::PathBuf, std::path::PathBuf)> = Vec::new();
    let cleanup = |written: &[(std::path::PathBuf, std::path::PathBuf)]| {
        for (temp, _) in written {
            let _ = std::fs::remove_file(temp);
        }
    };
    for (name, bytes) in files {
        let target = dir.join(name);
        let temp = dir.join(format!(".{name}.tmp-{pid}"));
        if target.is_dir() {
            cleanup(&written);
            return Err((
                target,
                std::io::Error::new(std::io::ErrorKind::IsADirectory, "a folder is in the way"),
            ));
        }
        let result = (|| {
            let mut file = std::fs::File::create(&temp)?;
            file.write_all(bytes)?;
            file.sync_all()
        })();
        written.push((temp, target.clone()));
        if let Err(err) = result {
            cleanup(&written);
            return Err((target, err));
        }
    }
    for (temp, target) in &written {
        std::fs::rename(temp, target).map_err(|e| (target.clone(), e))?;
    }
    Ok(())
}

/// Removes `.NAME.tmp-PID` files whose process is gone (Linux: no `/proc/PID`), or that are
/// more than a day old elsewhere.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix('.')
            .and_then(|rest| rest.rsplit_once(".tmp-"))
            .and_then(|(_, pid)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        let gone = if Path::new("/proc/self").exists() {
            !Path::new(&format!("/proc/{pid}")).exists()
        } else {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 86_400)
        };
        if gone {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/out.txt");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn a_set_is_written_whole_or_not_at_all_and_stale_temporaries_go() {
        let dir = tempfile::tempdir().unwrap();
        let set = |a: &str, b: &str| {
            vec![
                ("a.json".to_owned(), a.as_bytes().to_vec()),
                ("b.html".to_owned(), b.as_bytes().to_vec()),
            ]
        };
        write_set(dir.path(), &set("old a", "old b")).unwrap();
        // A killed run's temporary file (no such process) is cleaned by the next run.
        std::fs::write(dir.path().join(".a.json.tmp-4000000000"), b"partial").unwrap();
        // A folder in the way of the second file: nothing of the new set lands.
        std::fs::remove_file(dir.path().join("b.html")).unwrap();
        std::fs::create_dir(dir.path().join("b.html")).unwrap();
        assert!(write_set(dir.path(), &set("new a", "new b")).is_err());
        assert_eq!(std::fs::read_to_string(dir.path().join("a.json")).unwrap(), "old a");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
    }
}
