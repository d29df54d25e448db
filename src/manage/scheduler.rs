//! The scheduler (SPEC §10): every instance looks for due scheduled posts about once a
//! second and publishes each, exactly once across instances, if the user who scheduled it
//! may still publish it at that moment; otherwise the post returns to draft. Both outcomes
//! are audited in the scheduler's name.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;

use crate::audit::{record, Actor, Outcome};
use crate::auth::cache::unix;
use crate::authz::roles::{Assignment, RoleGraph};
use crate::authz::{check_scheduled_publish, Principal};
use crate::db::models::Post;
use crate::db::queries::{roles as role_q, schedule, users as user_q};
use crate::db::{now, write_tx, Db, DbConn};
use crate::error::AppError;

/// How often each instance looks for due posts: a post is published at most about this
/// late (plus the time its transaction waits).
pub const EVERY: Duration = Duration::from_secs(1);

/// Posts handled by one transaction; more due posts wait for the next tick.
const BATCH: i64 = 50;

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ran {
    /// Posts published.
    pub published: usize,
    /// Posts returned to draft because their scheduler may no longer publish them.
    pub failed: usize,
}

/// The audit identity of the scheduler.
fn scheduler() -> Actor {
    Actor {
        id: None,
        name: "scheduler".into(),
        ip: None,
        principal: None,
    }
}

/// Publishes (or returns to draft) the scheduled posts due at `now`, in one transaction
/// per batch. Call outside a transaction.
pub fn run_once(conn: &mut DbConn, now: NaiveDateTime) -> Result<Ran, AppError> {
    if !schedule::any_due(conn, now)? {
        return Ok(Ran::default());
    }
    write_tx(conn, |conn| {
        let due = schedule::claim_due_posts(conn, now, BATCH)?;
        let mut ran = Ran::default();
        if due.is_empty() {
            return Ok(ran);
        }
        // Read in the transaction that publishes: a role revoked a moment ago counts.
        let graph = RoleGraph::new(role_q::load_role_defs(conn)?);
        for post in due {
            let target = format!("post {}", post.id);
            match may_still_publish(conn, &graph, &post, now)? {
                Ok(()) => {
                    if schedule::publish_scheduled(conn, post.id, now)? {
                        record(
                            conn,
                            &scheduler(),
                            "post.publish",
                            &target,
                            Outcome::Success,
                            &post.slug,
                        )?;
                        ran.published += 1;
                    }
                }
                Err(why) => {
                    if schedule::unschedule(conn, post.id, now)? {
                        let detail = format!("{}: {why}; returned to draft", post.slug);
                        record(
                            conn,
                            &scheduler(),
                            "post.schedule_failed",
                            &target,
                            Outcome::Failure,
                            &detail,
                        )?;
                        ran.failed += 1;
                    }
                }
            }
        }
        Ok(ran)
    })
}

/// `Ok` if the user who scheduled `post` may publish it now (their current roles, the
/// pure policy deciding); else why not, for the audit detail.
fn may_still_publish(
    conn: &mut DbConn,
    graph: &RoleGraph,
    post: &Post,
    now: NaiveDateTime,
) -> Result<Result<(), String>, AppError> {
    let Some(user_id) = post.scheduled_by else {
        return Ok(Err("the account that scheduled it no longer exists".into()));
    };
    let Some(user) = user_q::find_user(conn, user_id)? else {
        return Ok(Err("the account that scheduled it no longer exists".into()));
    };
    if user.disabled {
        return Ok(Err(format!(
            "{} (who scheduled it) is disabled",
            user.username
        )));
    }
    let assignments: Vec<Assignment> = user_q::list_assignments(conn, user_id)?
        .into_iter()
        .map(|(role, expires_at)| Assignment {
            role,
            expires_at: expires_at.map(unix),
        })
        .collect();
    let permissions = graph.resolve_assignments(&assignments, unix(now));
    let principal = Principal::user(user_id, Arc::new(permissions));
    Ok(
        check_scheduled_publish(&principal, post.facts()).map_err(|denied| {
            format!(
                "{} (who scheduled it) may no longer publish it ({denied})",
                user.username
            )
        }),
    )
}

/// The loop every instance runs for as long as it serves (see `startup`).
pub async fn run_periodically(db: Db) {
    let mut ticks = tokio::time::interval(EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match db.run(move |conn| run_once(conn, now())).await {
            Ok(ran) if ran != Ran::default() => tracing::info!(?ran, "scheduler: posts due"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "scheduler failed; trying again next tick"),
        }
    }
}
