//! Building a 50-role inheritance graph and resolving a user's permissions
//! through it.

use std::hint::black_box;

use criterion::{BatchSize, Criterion};
use quire::authz::{Assignment, RoleDef, RoleGraph};

const ROLES: usize = 50;
const LAYERS: usize = 5;
const WIDTH: usize = ROLES / LAYERS;

/// Two exact grants per role, and a wildcard on every tenth one.
fn grants(i: usize) -> Vec<String> {
    let mut out = vec![format!("res{i}:read"), format!("res{i}:write")];
    if i.is_multiple_of(10) {
        out.push(format!("area{i}:*"));
    }
    out
}

/// `c49 < c48 < ... < c0`: the last role inherits from all 49 others.
fn chain() -> Vec<RoleDef> {
    (0..ROLES)
        .map(|i| {
            let parents: Vec<String> = (i > 0).then(|| format!("c{}", i - 1)).into_iter().collect();
            RoleDef::new(&format!("c{i}"), &grants(i), &parents)
        })
        .collect()
}

/// Five layers of ten; each role below the top inherits three roles of the
/// layer above, so shared ancestors are reached along several paths.
fn dag() -> Vec<RoleDef> {
    (0..ROLES)
        .map(|i| {
            let (layer, k) = (i / WIDTH, i % WIDTH);
            let parents: Vec<String> = if layer == 0 {
                Vec::new()
            } else {
                [k, k + 1, k + 3]
                    .iter()
                    .map(|p| format!("d{}_{}", layer - 1, p % WIDTH))
                    .collect()
            };
            RoleDef::new(&format!("d{layer}_{k}"), &grants(i), &parents)
        })
        .collect()
}

pub fn bench(c: &mut Criterion) {
    let chain_defs = chain();
    let dag_defs = dag();
    let chain_graph = RoleGraph::new(chain_defs.clone());
    let dag_graph = RoleGraph::new(dag_defs.clone());
    assert_eq!(chain_graph.find_cycle(), None);
    assert_eq!(dag_graph.find_cycle(), None);
    assert_eq!(chain_graph.ancestors("c49").len(), ROLES - 1);
    // 3 parents, then 6, 9 and all 10 of the top layer.
    assert_eq!(dag_graph.ancestors("d4_0").len(), 28);

    let now = 1_800_000_000;
    let assignments = [
        Assignment {
            role: "d4_0".into(),
            expires_at: None,
        },
        Assignment {
            role: "d4_5".into(),
            expires_at: Some(now + 3600),
        },
        Assignment {
            role: "d3_2".into(),
            expires_at: Some(now - 1),
        },
    ];
    let resolved = dag_graph.resolve_assignments(&assignments, now);
    assert!(resolved.allows("res45:read") && resolved.allows("area0:x"));
    assert!(
        !resolved.allows("res32:read"),
        "an expired assignment counts"
    );

    let mut group = c.benchmark_group("role_graph_50");
    group.bench_function("new_chain", |b| {
        b.iter_batched(|| chain_defs.clone(), RoleGraph::new, BatchSize::SmallInput)
    });
    group.bench_function("new_dag", |b| {
        b.iter_batched(|| dag_defs.clone(), RoleGraph::new, BatchSize::SmallInput)
    });
    group.bench_function("resolve_chain_leaf", |b| {
        b.iter(|| black_box(&chain_graph).resolve([black_box("c49")]))
    });
    group.bench_function("resolve_dag_leaf", |b| {
        b.iter(|| black_box(&dag_graph).resolve([black_box("d4_0")]))
    });
    group.bench_function("resolve_assignments_dag", |b| {
        b.iter(|| black_box(&dag_graph).resolve_assignments(black_box(&assignments), now))
    });
    group.finish();
}
