//! The HTTP API (axum on tokio), and with `--app` the built app from the same origin. Handlers only
//! translate: they authenticate, run the protocol ([`crate::sync`]) on a blocking thread, and turn its
//! answer into a response. The database calls run to the end even when the client goes away, so a
//! push is applied whole or not at all, and a graceful shutdown waits for them.

mod limits;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::sync::{watch, Notify};

pub use limits::{Limiter, Rate};

use crate::store::Cursor;
use crate::store::{DeviceRow, Store};
use crate::sync::{self, EnrolRequest, PageLimits, PushStatus, Refusal};

/// How a hub serves.
#[derive(Clone, Debug)]
pub struct Config {
    /// The largest request body; a larger one gets 413.
    pub body_limit: usize,
    /// Requests per device (and enrolments per address).
    pub rate: Rate,
    /// Page sizes of a pull.
    pub page: PageLimits,
    /// The longest a pull waits for news.
    pub max_wait: Duration,
    /// How often a waiting pull looks at the database anyway (another hub process may have taken the
    /// push that it waits for).
    pub recheck: Duration,
    /// The built app to serve from `/`, if any.
    pub app: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            body_limit: 64 * 1024 * 1024,
            rate: Rate::default(),
            page: PageLimits::default(),
            max_wait: Duration::from_secs(60),
            recheck: Duration::from_secs(5),
            app: None,
        }
    }
}

struct Shared<S> {
    store: Arc<S>,
    config: Config,
    limiter: Limiter,
    teams: Mutex<HashMap<String, Arc<Notify>>>,
    stopping: watch::Receiver<bool>,
}

impl<S> Shared<S> {
    fn news(&self, team: &str) -> Arc<Notify> {
        let mut teams = self.teams.lock().unwrap_or_else(|p| p.into_inner());
        teams.entry(team.to_string()).or_default().clone()
    }
}

/// The API's own policy: nothing may load from it, and nothing may frame it.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// The app's policy as a header (its meta tag cannot forbid framing), the same sources as the meta tag.
const APP_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; base-uri 'none'; \
form-action 'none'; object-src 'none'; frame-ancestors 'none'";

fn refusal_response(r: Refusal) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (status, Json(r.body())).into_response();
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"liaison-hub\""));
    }
    resp
}

fn too_many(retry_after: u64) -> Response {
    let mut resp = refusal_response(Refusal::new(
        429,
        "rate-limited",
        format!("too many requests from this device; try again in {retry_after} s"),
    ));
    if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, Refusal> + Send + 'static) -> Result<T, Refusal> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(Refusal::new(500, "internal", format!("the request failed inside the hub: {e}"))))
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string()).filter(|t| !t.is_empty())
}

/// Who is asking, and whether they may ask now.
async fn caller<S: Store>(shared: &Arc<Shared<S>>, headers: &HeaderMap) -> Result<DeviceRow, Response> {
    let token = bearer(headers);
    let store = shared.store.clone();
    let who = blocking(move || sync::authenticate(&*store, token.as_deref())).await.map_err(refusal_response)?;
    shared.limiter.take(&format!("device {}", who.device), Instant::now()).map_err(too_many)?;
    Ok(who)
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

async fn healthz<S: Store>(State(shared): State<Arc<Shared<S>>>) -> Response {
    let store = shared.store.clone();
    match blocking(move || Ok(store.version()?)).await {
        Ok(version) => Json(serde_json::json!({ "status": "ok", "schema": version })).into_response(),
        Err(r) => refusal_response(r),
    }
}

async fn enrol<S: Store>(
    State(shared): State<Arc<Shared<S>>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: Bytes,
) -> Response {
    if let Err(after) = shared.limiter.take(&format!("address {}", peer.ip()), Instant::now()) {
        return too_many(after);
    }
    let req: EnrolRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return refusal_response(Refusal::new(
                400,
                "bad-request",
                format!("an enrolment is {{\"code\": \"…\", \"device\": \"…\", \"label\": \"…\"}}: {e}"),
            ))
        }
    };
    let store = shared.store.clone();
    match blocking(move || sync::enrol(&*store, &req, now_ms())).await {
        Ok(enrolled) => {
            tracing::info!(team = %enrolled.team, device = %enrolled.device, role = %enrolled.role, "device enrolled");
            (StatusCode::CREATED, Json(enrolled)).into_response()
        }
        Err(r) => {
            tracing::warn!(peer = %peer.ip(), error = r.error, "enrolment refused");
            refusal_response(r)
        }
    }
}

async fn me<S: Store>(State(shared): State<Arc<Shared<S>>>, headers: HeaderMap) -> Response {
    let who = match caller(&shared, &headers).await {
        Ok(w) => w,
        Err(resp) => return resp,
    };
    let store = shared.store.clone();
    match blocking(move || sync::me(&*store, &who)).await {
        Ok(me) => Json(me).into_response(),
        Err(r) => refusal_response(r),
    }
}

async fn push<S: Store>(
    State(shared): State<Arc<Shared<S>>>,
    Path(team): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let who = match caller(&shared, &headers).await {
        Ok(w) => w,
        Err(resp) => return resp,
    };
    let store = shared.store.clone();
    let (team_for_push, via) = (team.clone(), who.device.clone());
    match blocking(move || sync::push(&*store, &who, &team_for_push, &body, now_ms())).await {
        Ok(pushed) => {
            tracing::info!(
                team = %team, device = %pushed.device, via = %via, sequence = pushed.sequence,
                status = pushed.status.name(), records = pushed.records, changed = pushed.changed, "push"
            );
            if pushed.status == PushStatus::Applied {
                shared.news(&team).notify_waiters();
            }
            Json(pushed).into_response()
        }
        Err(r) => {
            tracing::warn!(team = %team, via = %via, error = r.error, "push refused");
            refusal_response(r)
        }
    }
}

/// `cursor`, `wait` (seconds) and `max` (records) of a pull.
#[derive(Debug, serde::Deserialize)]
struct PullQuery {
    cursor: Option<String>,
    wait: Option<u64>,
    max: Option<usize>,
}

async fn pull<S: Store>(
    State(shared): State<Arc<Shared<S>>>,
    Path(team): Path<String>,
    Query(q): Query<PullQuery>,
    headers: HeaderMap,
) -> Response {
    let who = match caller(&shared, &headers).await {
        Ok(w) => w,
        Err(resp) => return resp,
    };
    if who.team != team {
        // Refused before anything is kept for the path's team (the wake-up list is per team).
        return refusal_response(Refusal::new(
            403,
            "forbidden",
            "this device belongs to another team; it may pull only its own",
        ));
    }
    let after = match q.cursor.as_deref().map(Cursor::decode) {
        None => Cursor::start(),
        Some(Some(c)) => c,
        Some(None) => {
            return refusal_response(Refusal::new(
                400,
                "bad-cursor",
                "the cursor is not one this hub gave out; pull without one to start over",
            ))
        }
    };
    let mut limits = shared.config.page;
    if let Some(max) = q.max {
        limits.records = limits.records.min(max.max(1));
    }
    let wait = Duration::from_secs(q.wait.unwrap_or(0)).min(shared.config.max_wait);
    let deadline = tokio::time::Instant::now() + wait;
    let news = shared.news(&team);
    let mut stopping = shared.stopping.clone();
    loop {
        // Registered before looking, so that a push landing between the look and the wait still wakes it.
        let notified = news.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let (store, who2, team2, after2) = (shared.store.clone(), who.clone(), team.clone(), after.clone());
        let page = match blocking(move || sync::pull(&*store, &who2, &team2, &after2, limits)).await {
            Ok(p) => p,
            Err(r) => return refusal_response(r),
        };
        let now = tokio::time::Instant::now();
        if page.records > 0 || page.cursor != after || now >= deadline || *stopping.borrow() {
            return page_response(page);
        }
        let until = deadline.min(now + shared.config.recheck);
        tokio::select! {
            _ = &mut notified => {}
            _ = tokio::time::sleep_until(until) => {}
            _ = stopping.changed() => {}
        }
    }
}

fn page_response(page: sync::Page) -> Response {
    let mut resp = match page.bundle {
        Some(text) => ([(header::CONTENT_TYPE, "application/json")], text).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    };
    let h = resp.headers_mut();
    for (name, value) in [
        ("liaison-cursor", page.cursor.encode()),
        ("liaison-more", page.more.to_string()),
        ("liaison-records", page.records.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    resp
}

async fn not_found() -> Response {
    refusal_response(Refusal::new(404, "not-found", "there is nothing here; the API is under /v1/"))
}

/// Security headers on everything, `no-store` on the API, and one log line per request.
async fn headers(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let api = path.starts_with("/v1/") || path == "/healthz";
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(if api { API_CSP } else { APP_CSP }));
    if api {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    tracing::info!(
        method = %method, path = %path, status = resp.status().as_u16(),
        ms = started.elapsed().as_millis() as u64, "request"
    );
    resp
}

/// The hub's routes over a store.
fn router<S: Store>(shared: Arc<Shared<S>>) -> Router {
    let app = shared.config.app.clone();
    let limit = shared.config.body_limit;
    let mut r = Router::new()
        .route("/healthz", get(healthz::<S>))
        .route("/v1/enrol", post(enrol::<S>))
        .route("/v1/me", get(me::<S>))
        .route("/v1/teams/{team}/push", post(push::<S>))
        .route("/v1/teams/{team}/pull", get(pull::<S>))
        .route("/v1/{*rest}", get(not_found).post(not_found));
    r = match app {
        Some(dir) => {
            let index = dir.join("index.html");
            r.fallback_service(
                tower_http::services::ServeDir::new(dir).fallback(tower_http::services::ServeFile::new(index)),
            )
        }
        None => r.fallback(not_found),
    };
    r.layer(DefaultBodyLimit::max(limit)).layer(middleware::from_fn(headers)).with_state(shared)
}

/// Serves the hub on `listener` until `stop` completes; then stops taking connections, wakes waiting
/// pulls, and returns once the requests under way (pushes included) have finished.
pub async fn serve<S: Store>(
    listener: tokio::net::TcpListener,
    store: Arc<S>,
    config: Config,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stopping) = watch::channel(false);
    let shared = Arc::new(Shared {
        store,
        limiter: Limiter::new(config.rate),
        config,
        teams: Mutex::new(HashMap::new()),
        stopping,
    });
    let app = router(shared).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            stop.await;
            tracing::info!("stopping: finishing the requests under way");
            let _ = stop_tx.send(true);
        })
        .await
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// `liaison hub serve`: binds `listen`, prints `listening on http://ADDR` (the port chosen, when it was
/// 0) on standard output, and serves until SIGTERM or Ctrl-C.
pub fn run<S: Store>(listen: &str, store: S, config: Config) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the hub's runtime: {e}"))?;
    // The last reference is dropped here, outside the runtime: PostgreSQL's client blocks as it closes.
    let store = Arc::new(store);
    let serving = store.clone();
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!("listening on http://{addr}");
        tracing::info!(address = %addr, "hub listening");
        serve(listener, serving, config, stop_signal()).await.map_err(|e| format!("the hub stopped: {e}"))
    })?;
    drop(runtime);
    drop(store);
    tracing::info!("hub stopped");
    Ok(())
}
