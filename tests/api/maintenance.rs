//! SPEC H9: the maintenance job prunes old rows, and of several instances exactly one runs
//! each period.

use std::sync::{Arc, Barrier};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use quire::db::models::NewAuditEvent;
use quire::db::queries::{audit, jobs, tokens};
use quire::db::schema::{
    audit_denials, audit_events, refresh_tokens, revoked_families, revoked_tokens, sessions,
    throttle_events,
};
use quire::db::{now, DbConn};
use quire::manage::maintenance::{prune, run_if_due, Pruned, EVERY};

use crate::helpers::{spawn_app, Backend, TestApp};

/// One row of each kind that must go (`old`) and one that must stay (`recent`), with a
/// distinguishing text, so that what remains can be named.
fn insert_rows(conn: &mut DbConn, old: NaiveDateTime, recent: NaiveDateTime, tag: &str) {
    let admin = quire::db::queries::users::find_user_by_username(conn, "admin")
        .unwrap()
        .unwrap();
    audit::insert_event(
        conn,
        &NewAuditEvent {
            at: old,
            actor_id: None,
            actor: "cli",
            action: "test.event",
            target: tag,
            outcome: "success",
            detail: "",
            ip: None,
        },
    )
    .unwrap();
    tokens::insert_refresh_token(
        conn,
        &tokens::NewRefreshToken {
            user_id: admin.id,
            token_hash: &format!("hash-{tag}"),
            family: tag,
            scope: "",
            created_at: old,
            expires_at: recent,
            revoked: false,
        },
    )
    .unwrap();
    tokens::insert_revoked_jti(conn, &format!("jti-{tag}"), recent).unwrap();
    diesel::insert_into(revoked_families::table)
        .values((
            revoked_families::family.eq(tag),
            revoked_families::expires_at.eq(recent),
        ))
        .execute(conn)
        .unwrap();
    diesel::insert_into(throttle_events::table)
        .values((
            throttle_events::bucket.eq("login"),
            throttle_events::account.eq(tag),
            throttle_events::address.eq("127.0.0.1"),
            throttle_events::at.eq(recent),
        ))
        .execute(conn)
        .unwrap();
    diesel::insert_into(audit_denials::table)
        .values((
            audit_denials::actor.eq(tag),
            audit_denials::minute.eq(recent),
            audit_denials::count.eq(1_i64),
        ))
        .execute(conn)
        .unwrap();
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(format!("session-{tag}")),
            sessions::user_id.eq(admin.id),
            sessions::created_at.eq(recent),
            sessions::last_seen_at.eq(recent),
            sessions::user_agent.eq("test"),
        ))
        .execute(conn)
        .unwrap();
}

/// What is left of each table, by the tags `insert_rows` gave.
fn remaining(conn: &mut DbConn) -> Vec<(&'static str, Vec<String>)> {
    let mut audit: Vec<String> = audit_events::table
        .filter(audit_events::action.eq("test.event"))
        .select(audit_events::target)
        .load(conn)
        .unwrap();
    audit.sort();
    vec![
        ("audit_events", audit),
        (
            "refresh_tokens",
            refresh_tokens::table
                .select(refresh_tokens::family)
                .load(conn)
                .unwrap(),
        ),
        (
            "revoked_tokens",
            revoked_tokens::table
                .select(revoked_tokens::jti)
                .load(conn)
                .unwrap(),
        ),
        (
            "revoked_families",
            revoked_families::table
                .select(revoked_families::family)
                .load(conn)
                .unwrap(),
        ),
        (
            "throttle_events",
            throttle_events::table
                .select(throttle_events::account)
                .load(conn)
                .unwrap(),
        ),
        (
            "audit_denials",
            audit_denials::table
                .select(audit_denials::actor)
                .load(conn)
                .unwrap(),
        ),
        (
            "sessions",
            sessions::table
                .select(sessions::token_hash)
                .load(conn)
                .unwrap(),
        ),
    ]
}

async fn the_maintenance_job_prunes_old_rows_and_keeps_recent_ones(backend: Backend) {
    let app = spawn_app(backend).await;
    let at = now();
    let found = app
        .with_conn(move |c| {
            // Past every bound: 400-day-old events, expired tokens, ids and families, a
            // two-day-old sign-in attempt, a two-hour-old counter, a 13-hour-old session.
            insert_rows(c, at - Duration::days(400), at - Duration::hours(13), "old");
            diesel::update(throttle_events::table.filter(throttle_events::account.eq("old")))
                .set(throttle_events::at.eq(at - Duration::days(2)))
                .execute(c)
                .unwrap();
            // Within every bound: a 300-day-old event, live tokens, a recent attempt.
            insert_rows(
                c,
                at - Duration::days(300),
                at + Duration::minutes(5),
                "new",
            );
            diesel::update(throttle_events::table.filter(throttle_events::account.eq("new")))
                .set(throttle_events::at.eq(at - Duration::hours(20)))
                .execute(c)
                .unwrap();
            diesel::update(audit_denials::table.filter(audit_denials::actor.eq("new")))
                .set(audit_denials::minute.eq(at - Duration::minutes(50)))
                .execute(c)
                .unwrap();
            diesel::update(sessions::table.filter(sessions::token_hash.eq("session-new")))
                .set(sessions::created_at.eq(at - Duration::hours(11)))
                .execute(c)
                .unwrap();
            let pruned = prune(c, at, 365).unwrap();
            (pruned, remaining(c))
        })
        .await;
    let (pruned, left) = found;
    let one = Pruned {
        audit_events: 1,
        refresh_tokens: 1,
        revoked_tokens: 1,
        revoked_families: 1,
        throttle_events: 1,
        audit_denials: 1,
        sessions: 1,
    };
    assert_eq!(pruned, one);
    for (table, rows) in left {
        let kept: Vec<&str> = rows
            .iter()
            .map(String::as_str)
            .filter(|r| r.contains("old") || r.contains("new"))
            .collect();
        assert_eq!(kept.len(), 1, "{table}: {rows:?}");
        assert!(kept[0].contains("new"), "{table}: {rows:?}");
    }
}

async fn the_retention_period_is_the_configured_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let at = now();
    let (pruned, left) = app
        .with_conn(move |c| {
            insert_rows(c, at - Duration::days(40), at + Duration::hours(1), "forty");
            insert_rows(
                c,
                at - Duration::days(20),
                at + Duration::hours(1),
                "twenty",
            );
            let pruned = prune(c, at, 30).unwrap();
            (pruned.audit_events, remaining(c).remove(0).1)
        })
        .await;
    assert_eq!(pruned, 1);
    assert_eq!(left, ["twenty"]);
}

/// Two instances asking at the same moment: one runs, the other is told it is taken.
fn race(app: &TestApp, at: NaiveDateTime, claim: fn(&mut DbConn, NaiveDateTime) -> bool) -> usize {
    let barrier = Arc::new(Barrier::new(2));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let db = app.db.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut conn = db.get().unwrap();
                barrier.wait();
                claim(&mut conn, at)
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .filter(|won| *won)
        .count()
}

async fn exactly_one_of_two_concurrent_claimers_runs_the_job(backend: Backend) {
    let app = spawn_app(backend).await;
    let app = &app;
    tokio::task::block_in_place(|| {
        let start = now();
        let every = chrono::Duration::from_std(EVERY).unwrap();
        for round in 0..10 {
            // Round 0 inserts the job's first row; later rounds are due by a period each.
            let at = start + every * round;
            let winners = race(app, at, |c, at| run_if_due(c, at, 365).unwrap().is_some());
            assert_eq!(winners, 1, "round {round}");
            // Asked again within the period: nobody.
            let again = race(app, at + Duration::minutes(1), |c, at| {
                run_if_due(c, at, 365).unwrap().is_some()
            });
            assert_eq!(again, 0, "round {round}, again");
        }
        // A job of another name is claimed on its own.
        let other = race(app, start, |c, at| {
            jobs::claim_run(c, "other", Duration::minutes(1), at).unwrap()
        });
        assert_eq!(other, 1);
    });
}

both_backends!(
    the_maintenance_job_prunes_old_rows_and_keeps_recent_ones,
    the_retention_period_is_the_configured_one,
    exactly_one_of_two_concurrent_claimers_runs_the_job,
);
