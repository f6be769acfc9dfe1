//! Ringfence program tests on the compiled `ringfence.so`, executed by LiteSVM.
mod smoke;
