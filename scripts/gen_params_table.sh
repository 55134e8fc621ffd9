#!/usr/bin/env bash
# Regenerate the parameter table of docs/model.md (section 9) from the parameter catalogue:
# the lines between `<!-- params:begin -->` and `<!-- params:end -->` become the output of
# `seedsoil params --format md`. tests/docs_model.rs fails while the two differ.
#
#   scripts/gen_params_table.sh            # builds and runs target/release/seedsoil
#   SEEDSOIL=path/to/seedsoil scripts/gen_params_table.sh
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/model.md
if [[ -z "${SEEDSOIL:-}" ]]; then
    cargo build --release --quiet
    SEEDSOIL=target/release/seedsoil
fi
for marker in '<!-- params:begin -->' '<!-- params:end -->'; do
    n=$(grep -cxF -- "$marker" "$doc" || true)
    if [[ "$n" != 1 ]]; then
        echo "error: $doc must hold the line '$marker' exactly once (found $n)" >&2
        exit 1
    fi
done
table=$(mktemp)
out=$(mktemp)
trap 'rm -f "$table" "$out"' EXIT
"$SEEDSOIL" params --format md > "$table"
awk -v table="$table" '
    $0 == "<!-- params:begin -->" {
        print
        while ((getline line < table) > 0) print line
        skip = 1
        next
    }
    $0 == "<!-- params:end -->" { skip = 0 }
    !skip { print }
' "$doc" > "$out"
cat "$out" > "$doc"
echo "rewrote the parameter table of $doc ($(wc -l < "$table") lines)"
