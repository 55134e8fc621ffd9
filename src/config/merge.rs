//! Deep merge of TOML tables, shared by the config loader (defaults under a file, several
//! config files given on the command line) and the compare/validate scenario layers
//! ([`merge_fragment`]). A leaf module: it depends on nothing else in the crate.

/// The top-level key whose arrays of tables are appended, not replaced, when merging
/// fragments with [`merge_fragment`].
pub const APPENDED_KEY: &str = "therapy";

/// Deep-merges `fragment` into `base`: tables merge key by key and any other value
/// replaces, except that arrays under the top-level key [`APPENDED_KEY`] (`[[therapy]]`)
/// are appended to the base's array; below the top level only tables merge. Used for a
/// compare scenario's `include` files and for `seedsoil run A.toml B.toml`.
pub fn merge_fragment(base: &mut toml::Table, fragment: toml::Table) {
    for (key, value) in fragment {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Array(old)), toml::Value::Array(new)) if key == APPENDED_KEY => {
                old.extend(new);
            }
            (Some(toml::Value::Table(old)), toml::Value::Table(new)) => deep_merge(old, new),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Deep-merges `over` into `base`: tables merge key by key, any other value (arrays
/// included) replaces the base's.
pub(crate) fn deep_merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(old)), toml::Value::Table(new)) => deep_merge(old, new),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_merge_and_other_values_replace() {
        let mut base: toml::Table = "a = 1\nl = [1, 2]\n[t]\nx = 1\ny = 2\n[t.u]\nz = 3\n"
            .parse()
            .unwrap();
        let over: toml::Table = "l = [3]\nn = 4\n[t]\ny = 5\n[t.u]\nw = 6\n"
            .parse()
            .unwrap();
        deep_merge(&mut base, over);
        let want: toml::Table = "a = 1\nl = [3]\nn = 4\n[t]\nx = 1\ny = 5\n[t.u]\nz = 3\nw = 6\n"
            .parse()
            .unwrap();
        assert_eq!(base, want);
    }
}
