//! `ringfence-idl PROGRAM_DIR OUT.json`: builds the program's IDL exactly as `anchor build` does
//! (compiles the program's tests with the `idl-build` feature and collects what they print), so the
//! IDL is available without the Anchor CLI or platform-tools.
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, program, out] = &args[..] else {
        eprintln!("usage: ringfence-idl PROGRAM_DIR OUT.json");
        return ExitCode::from(2);
    };
    // anchor-lang-idl passes RUSTUP_TOOLCHAIN through as a literal "+{toolchain}" argument; the
    // toolchain is chosen by the workspace's rust-toolchain.toml instead.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let idl = match anchor_lang_idl::build::IdlBuilder::new()
        .program_path(PathBuf::from(program))
        .resolution(true)
        .skip_lint(false)
        .build()
    {
        Ok(idl) => idl,
        Err(e) => {
            eprintln!("IDL build failed: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let json = match serde_json::to_string_pretty(&idl) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("IDL serialization failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(out, json + "\n") {
        eprintln!("cannot write {out}: {e}");
        return ExitCode::FAILURE;
    }
    println!(
        "wrote {out} ({} instructions, {} accounts, {} events, {} errors)",
        idl.instructions.len(),
        idl.accounts.len(),
        idl.events.len(),
        idl.errors.len()
    );
    ExitCode::SUCCESS
}
