#!/usr/bin/env python3
"""Make a copy of a toolchain's rust-src whose std builds for `target_os = "solana"`, `target_arch = "bpf"`.

Usage: patch-std.py RUST_SRC_DIR DEST_DIR

Every edit maps the new OS onto an implementation std already has (no allocator, no threads, no
randomness, generic io errors), and removes writable globals, which SBPF programs cannot have.
Each edit names an exact anchor; if a toolchain update moves it, the script stops and says where.
"""
import os
import shutil
import sys

SOL = 'target_os = "solana"'

# (file under library/std/src, anchor text, replacement text, why)
EDITS = [
    ("sys/alloc/mod.rs",
     '    target_arch = "wasm32",\n',
     '    target_arch = "wasm32",\n    target_arch = "bpf",\n',
     "MIN_ALIGN for bpf"),
    ("sys/alloc/mod.rs",
     '    target_os = "zkvm" => {\n        mod zkvm;\n        use zkvm as imp;\n    }\n',
     '    target_os = "zkvm" => {\n        mod zkvm;\n        use zkvm as imp;\n    }\n'
     '    target_os = "solana" => {\n        mod solana;\n        use solana as imp;\n    }\n',
     "System allocator module for solana"),
    ("sys/alloc/mod.rs",
     'any(target_os = "hermit", target_os = "solid_asp3", target_os = "uefi", target_os = "zkvm") => {',
     'any(target_os = "hermit", target_os = "solid_asp3", target_os = "uefi", target_os = "zkvm", ' + SOL + ') => {',
     "realloc_fallback is needed by the solana allocator"),
    ("sys/io/error/mod.rs",
     'any(target_os = "vexos", target_family = "wasm", target_os = "zkvm", target_os = "trusty") => {',
     'any(target_os = "vexos", target_family = "wasm", target_os = "zkvm", target_os = "trusty", ' + SOL + ') => {',
     "generic io errors"),
    ("sys/thread_local/mod.rs",
     '        target_os = "zkvm",\n        target_os = "trusty",\n        target_os = "vexos",\n    ) => {\n        mod no_threads;',
     '        target_os = "zkvm",\n        target_os = "trusty",\n        target_os = "vexos",\n        ' + SOL + ',\n    ) => {\n        mod no_threads;',
     "single-threaded thread locals"),
    ("sys/thread_local/mod.rs",
     '            target_os = "trusty",\n            target_os = "vexos",\n        ) => {\n            pub(crate) fn enable() {',
     '            target_os = "trusty",\n            target_os = "vexos",\n            ' + SOL + ',\n        ) => {\n            pub(crate) fn enable() {',
     "no thread-local destructors"),
    ("sys/random/mod.rs",
     '        target_os = "l4re",\n    ) => {\n        // FIXME: finally remove std support for wasm32-unknown-unknown',
     '        target_os = "l4re",\n        ' + SOL + ',\n    ) => {\n        // FIXME: finally remove std support for wasm32-unknown-unknown',
     "unsupported randomness"),
    ("sys/random/mod.rs",
     '    target_os = "l4re",\n)))]\npub fn hashmap_random_keys',
     '    target_os = "l4re",\n    ' + SOL + ',\n)))]\npub fn hashmap_random_keys',
     "no hashmap random keys"),
    ("panicking.rs",
     '#[cfg(panic = "immediate-abort")]\n#[unstable(feature = "update_panic_count", issue = "none")]\npub mod panic_count {',
     '#[cfg(any(panic = "immediate-abort", ' + SOL + '))]\n#[unstable(feature = "update_panic_count", issue = "none")]\npub mod panic_count {',
     "panic counters are writable globals: use the stateless variant"),
    ("panicking.rs",
     '#[cfg(not(panic = "immediate-abort"))]\n#[unstable(feature = "update_panic_count", issue = "none")]\npub mod panic_count {',
     '#[cfg(not(any(panic = "immediate-abort", ' + SOL + ')))]\n#[unstable(feature = "update_panic_count", issue = "none")]\npub mod panic_count {',
     "(the counterpart of the previous edit)"),
    ("panicking.rs",
     "pub fn panic_handler(info: &core::panic::PanicInfo<'_>) -> ! {\n",
     "pub fn panic_handler(info: &core::panic::PanicInfo<'_>) -> ! {\n"
     "    #[cfg(target_os = \"solana\")]\n"
     "    {\n"
     "        // The program's entrypoint macro defines `custom_panic` (logs); then the abort syscall.\n"
     "        unsafe extern \"Rust\" {\n"
     "            fn custom_panic(info: &core::panic::PanicInfo<'_>);\n"
     "        }\n"
     "        unsafe extern \"C\" {\n"
     "            fn abort() -> !;\n"
     "        }\n"
     "        unsafe {\n"
     "            custom_panic(info);\n"
     "            abort();\n"
     "        }\n"
     "    }\n",
     "panics go to the program's custom_panic and the abort syscall (no hook globals)"),
    ("panicking.rs",
     "    force_no_backtrace: bool,\n) -> ! {\n    let must_abort = panic_count::increase(true);",
     "    force_no_backtrace: bool,\n) -> ! {\n"
     "    #[cfg(target_os = \"solana\")]\n"
     "    {\n"
     "        unsafe extern \"C\" {\n"
     "            fn sol_log_(message: *const u8, len: u64);\n"
     "            fn abort() -> !;\n"
     "        }\n"
     "        let msg: &str = payload.as_str().unwrap_or(\"panicked\");\n"
     "        unsafe {\n"
     "            sol_log_(msg.as_ptr(), msg.len() as u64);\n"
     "            abort();\n"
     "        }\n"
     "    }\n"
     "    let must_abort = panic_count::increase(true);",
     "rust_panic_with_hook: log the payload and abort"),
    ("hash/random.rs",
     "        thread_local!(static KEYS: Cell<(u64, u64)> = {",
     "        #[cfg(target_os = \"solana\")]\n"
     "        {\n"
     "            return RandomState { k0: 0, k1: 0 };\n"
     "        }\n"
     "        thread_local!(static KEYS: Cell<(u64, u64)> = {",
     "RandomState: fixed keys, no thread-local cache"),
]

SOLANA_ALLOC = """use crate::alloc::Layout;
// Solana programs install their own #[global_allocator] (the entrypoint's bump allocator).
// std's System allocator is never used on this target, so it reports out-of-memory.
#[inline]
pub unsafe fn alloc(_layout: Layout) -> *mut u8 {
    crate::ptr::null_mut()
}
#[inline]
pub unsafe fn dealloc(_ptr: *mut u8, _layout: Layout) {}
#[inline]
pub unsafe fn realloc(ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
    unsafe { super::realloc_fallback(ptr, layout, new_size) }
}
"""


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst, symlinks=True)
    std = os.path.join(dst, "library", "std", "src")
    for rel, anchor, replacement, why in EDITS:
        path = os.path.join(std, rel)
        with open(path) as f:
            text = f.read()
        if anchor not in text:
            sys.exit(f"patch-std: anchor for '{why}' not found in {rel}; update scripts/patch-std.py")
        with open(path, "w") as f:
            f.write(text.replace(anchor, replacement, 1))
    with open(os.path.join(std, "sys", "alloc", "solana.rs"), "w") as f:
        f.write(SOLANA_ALLOC)
    print(f"patch-std: {len(EDITS)} edits applied in {dst}")


if __name__ == "__main__":
    main()
