"""The dbt DAG points one way, so a model's folder says where it sits.

- staging reads only sources and seeds, and is the only layer that reads sources;
- intermediate reads staging, intermediate and seeds;
- marts read intermediate and staging (and seeds), never another mart: a fact or dimension that
  several marts or intermediates share is built once in an intermediate (`int_<entity>s_<verb>s`)
  and each mart is a contracted projection of what it needs.
  The one exception is the write-audit-publish chain of `marts/incentives`, where the payout mart
  must be the sum of the commission and points marts exactly as audited (docs/contracts.md).
- `app_meta` models (the app's catalogue of the warehouse) read marts and intermediates only.
"""

from __future__ import annotations

import json

LAYERS = {
    "staging": {"source", "seed"},
    "intermediate": {"staging", "intermediate", "seed"},
    "marts": {"intermediate", "staging", "seed"},
    "app_meta": {"intermediate", "marts", "seed"},
}
MART_TO_MART_FOLDER = "models/marts/incentives/"


def _layer(node: dict) -> str:
    if node["resource_type"] in ("source", "seed"):
        return node["resource_type"]
    return node["original_file_path"].split("/")[1]


def test_every_model_reads_only_the_layers_below_it(warehouse_url, run_dbt) -> None:
    run_dbt(warehouse_url, "parse")
    manifest = json.loads((run_dbt.target_of(warehouse_url) / "manifest.json").read_text())
    nodes = {**manifest["nodes"], **manifest["sources"]}
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    assert len(models) > 60

    wrong = []
    for model in models:
        layer = _layer(model)
        assert layer in LAYERS, model["original_file_path"]
        for parent in model["depends_on"]["nodes"]:
            parent_layer = _layer(nodes[parent])
            allowed = LAYERS[layer]
            if layer == "marts" and model["original_file_path"].startswith(MART_TO_MART_FOLDER):
                allowed = allowed | {"marts"}
            if parent_layer not in allowed:
                wrong.append(
                    f"{layer}/{model['name']} reads {parent_layer}/{nodes[parent]['name']}"
                )
    assert wrong == []
