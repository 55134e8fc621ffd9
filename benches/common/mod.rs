//! Shared by the benchmark binaries: their small command-line parser.

/// The benchmark's arguments (without cargo's `--bench`), from which flags are taken.
pub struct BenchArgs(Vec<String>);

impl BenchArgs {
    /// The process arguments.
    pub fn from_env() -> Self {
        BenchArgs(
            std::env::args()
                .skip(1)
                .filter(|a| a != "--bench")
                .collect(),
        )
    }

    /// Remove `name VALUE` and return VALUE, if present.
    pub fn take(&mut self, name: &str) -> Option<String> {
        let i = self.0.iter().position(|a| a == name)?;
        let v = self.0.get(i + 1).cloned();
        self.0.drain(i..(i + 2).min(self.0.len()));
        v
    }

    /// The arguments left after taking flags.
    #[allow(dead_code)] // each benchmark compiles this module; not every one needs it
    pub fn rest(&self) -> &[String] {
        &self.0
    }
}
