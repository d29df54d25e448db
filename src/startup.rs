//! Building the HTTP application: `Application::build` binds (port 0 works for tests),
//! `run` serves until stopped.

use std::net::TcpListener;

use actix_identity::IdentityMiddleware;
use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::cookie::SameSite;
use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};

use crate::config::Config;
use crate::db::Db;
use crate::routes;
use crate::state::AppState;

pub struct Application {
    port: u16,
    server: Server,
    db: Db,
    audit_retention_days: u32,
    state: web::Data<AppState>,
}

impl Application {
    /// Binds `config.bind` and builds the server; the database must be migrated and
    /// prepared (`cli::serve::prepare`).
    pub fn build(config: Config, db: Db, jwt_secret: String) -> Result<Self, anyhow::Error> {
        let listener = TcpListener::bind(config.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
        let port = listener.local_addr()?.port();
        let workers = config.workers;
        // Each worker's blocking pool: its share of the database connections plus two for
        // bcrypt and the odd audit write. Unbounded (actix's default is 512 per process),
        // threads pile up under load, each with its stack and malloc arena, for no gain:
        // `Db::run` never has more tasks in flight than connections.
        let worker_count =
            workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        let blocking_threads = (config.db_pool_size as usize).div_ceil(worker_count) + 2;
        let (maintenance_db, audit_retention_days) = (db.clone(), config.audit_retention_days);
        let state = web::Data::new(AppState::new(config, db, &jwt_secret)?);
        let doc = routes::openapi::document();
        let route_table = web::Data::new(routes::methods::RouteTable::new(&doc));
        let doc = routes::openapi::DocumentJson::new(&doc)?;
        let kept_state = state.clone();
        let mut server = HttpServer::new(move || {
            let sessions = SessionMiddleware::builder(
                CookieSessionStore::default(),
                state.session_key().clone(),
            )
            .cookie_name("quire_session".into())
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Lax)
            .cookie_secure(state.config.cookie_secure)
            .cookie_content_security(CookieContentSecurity::Private)
            .session_lifecycle(
                PersistentSession::default()
                    .session_ttl(actix_web::cookie::time::Duration::hours(12)),
            )
            .build();
            let doc = doc.clone();
            // `/api` first: the hot API routes are matched before any other pattern. The
            // workers register plain routes; the document was collected once, above.
            App::new()
                .service(
                    web::scope("/api")
                        .configure(routes::api::configure)
                        .configure(|cfg| routes::openapi::configure(cfg, doc)),
                )
                .configure(routes::configure)
                .app_data(state.clone())
                .app_data(routes::extractors::json_config())
                .app_data(routes::extractors::form_config())
                .app_data(routes::extractors::query_config())
                .app_data(routes::extractors::path_config())
                .app_data(route_table.clone())
                .default_service(web::to(routes::methods::fallback))
                .wrap(actix_web::middleware::from_fn(routes::audit_denials))
                .wrap(IdentityMiddleware::default())
                .wrap(sessions)
                // Outermost: refused input never reaches the session or any handler.
                .wrap(actix_web::middleware::from_fn(routes::hygiene::hygiene))
        })
        .listen(listener)?
        .worker_max_blocking_threads(blocking_threads);
        if let Some(n) = workers {
            server = server.workers(n);
        }
        Ok(Self {
            port,
            server: server.run(),
            db: maintenance_db,
            audit_retention_days,
            state: kept_state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until stopped; meanwhile the maintenance job (SPEC H9), the scheduler of
    /// posts (SPEC §10) and the re-reading of the signing keys (SPEC §11) run in the
    /// background, and stop with the server.
    pub async fn run(self) -> std::io::Result<()> {
        let scheduler = tokio::spawn(crate::manage::scheduler::run_periodically(self.db.clone()));
        let maintenance = tokio::spawn(crate::manage::maintenance::run_periodically(
            self.db,
            self.audit_retention_days,
        ));
        let state = self.state;
        let keys = tokio::spawn(async move {
            crate::auth::key_store::refresh_periodically(&state.jwt, &state.db).await
        });
        let served = self.server.await;
        maintenance.abort();
        scheduler.abort();
        keys.abort();
        served
    }
}
