//! The one module that posts to workers: a pool sized from `navigator.hardwareConcurrency`, request ids, progress callbacks, cancel.
//!
//! A request resolves to the `Reply` or `JobError` its worker sends last; progress events in
//! between go to the caller's callback. The UI keeps only ids, summaries and row windows.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use compute::protocol::{
    ErrorKind, Event, EventEnvelope, JobError, Progress, Reply, Request, RequestEnvelope, RequestId,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// More workers than this only cost memory: each is its own wasm instance.
const MAX_WORKERS: usize = 4;

/// Where the worker script is, as Trunk emits it (a classic script with a loader shim).
pub const WORKER_SCRIPT: &str = "./worker_loader.js";

/// A way to post messages: a real `Worker` (with the script it runs, to start a new one if
/// it dies), or a `MessagePort` in tests.
#[derive(Clone)]
pub enum Target {
    Worker {
        worker: web_sys::Worker,
        script_url: String,
    },
    Port(web_sys::MessagePort),
}

impl Target {
    pub fn worker(script_url: &str) -> Result<Target, JsValue> {
        Ok(Target::Worker {
            worker: web_sys::Worker::new(script_url)?,
            script_url: script_url.to_string(),
        })
    }

    fn post(&self, message: &JsValue) -> Result<(), JsValue> {
        match self {
            Target::Worker { worker, .. } => worker.post_message(message),
            Target::Port(port) => port.post_message(message),
        }
    }

    fn set_onmessage(&self, handler: Option<&js_sys::Function>) {
        match self {
            Target::Worker { worker, .. } => worker.set_onmessage(handler),
            Target::Port(port) => {
                port.set_onmessage(handler);
                port.start();
            }
        }
    }
}

struct Pending {
    lane: usize,
    on_progress: Box<dyn Fn(Progress)>,
    resolve: js_sys::Function,
}

type ErrorHandler = Rc<Closure<dyn FnMut(web_sys::ErrorEvent)>>;

struct Lane {
    /// Replaced when its worker dies (see [`Pool::over`]).
    target: Rc<RefCell<Target>>,
    in_flight: Cell<usize>,
    /// Requests posted before the worker said it is ready, sent when it does.
    queue: Rc<RefCell<Option<Vec<JsValue>>>>,
}

impl Lane {
    fn post(&self, message: JsValue) -> Result<(), JsValue> {
        if let Some(queue) = self.queue.borrow_mut().as_mut() {
            queue.push(message);
            return Ok(());
        }
        self.target.borrow().post(&message)
    }
}

/// What a request whose worker died gets: the job never finished, so it stored nothing
/// (IndexedDB aborts a transaction whose worker is gone).
fn worker_died(detail: &str) -> JobError {
    JobError::new(
        ErrorKind::Internal,
        format!(
            "the worker running this job stopped unexpectedly ({detail}); nothing of this job was stored. Try again; if it stops again with the same data, the data may be too large for this tab"
        ),
    )
}

#[derive(Default)]
struct Shared {
    pending: RefCell<HashMap<RequestId, Pending>>,
}

pub struct Pool {
    lanes: Vec<Lane>,
    shared: Rc<Shared>,
    next_id: Cell<RequestId>,
    // Kept alive as long as the pool: the workers call them.
    _handlers: Vec<Closure<dyn FnMut(web_sys::MessageEvent)>>,
    _error_handlers: Vec<ErrorHandler>,
}

/// How many workers this browser gets.
pub fn pool_size() -> usize {
    let cores = web_sys::window()
        .map(|w| w.navigator().hardware_concurrency() as usize)
        .unwrap_or(2);
    cores.clamp(1, MAX_WORKERS)
}

impl Pool {
    /// Starts `size` workers from the script Trunk built.
    pub fn spawn(size: usize) -> Result<Pool, JsValue> {
        let mut targets = Vec::new();
        for _ in 0..size {
            targets.push(Target::worker(WORKER_SCRIPT)?);
        }
        Ok(Pool::over(targets))
    }

    /// A pool over given endpoints (tests use `MessagePort`s).
    pub fn over(targets: Vec<Target>) -> Pool {
        let shared = Rc::new(Shared::default());
        let mut handlers = Vec::new();
        let mut error_handlers = Vec::new();
        let mut lanes = Vec::new();
        for (lane_index, target) in targets.into_iter().enumerate() {
            let target = Rc::new(RefCell::new(target));
            let shared_for_errors = shared.clone();
            let shared = shared.clone();
            let queue: Rc<RefCell<Option<Vec<JsValue>>>> = Rc::new(RefCell::new(Some(Vec::new())));
            let queue_in = queue.clone();
            let target_in = target.clone();
            let handler = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |event: web_sys::MessageEvent| {
                    let data = event.data();
                    let ready = js_sys::Reflect::get(&data, &"ready".into()).ok();
                    if ready.is_some_and(|r| r.is_truthy()) {
                        let waiting = queue_in.borrow_mut().take().unwrap_or_default();
                        for message in waiting {
                            if let Err(error) = target_in.borrow().post(&message) {
                                web_sys::console::error_2(
                                    &"studio: a request could not be sent".into(),
                                    &error,
                                );
                            }
                        }
                        return;
                    }
                    let json = js_sys::Reflect::get(&data, &"json".into())
                        .ok()
                        .and_then(|v| v.as_string());
                    let json = json.unwrap_or_default();
                    match EventEnvelope::from_json(&json) {
                        Ok(envelope) => Shared::deliver(&shared, envelope, &data),
                        Err(error) => {
                            // Fail the request it answers rather than leave it waiting forever.
                            let request_id = serde_json::from_str::<serde_json::Value>(&json)
                                .ok()
                                .and_then(|v| v.get("request_id").and_then(|id| id.as_u64()));
                            web_sys::console::error_1(
                                &format!(
                                    "studio: a worker sent an unreadable message: {}",
                                    error.message
                                )
                                .into(),
                            );
                            if let Some(request_id) = request_id {
                                let envelope = EventEnvelope::new(request_id, Event::Failed(error));
                                let data = js_sys::Object::new();
                                js_sys::Reflect::set(
                                    &data,
                                    &"json".into(),
                                    &envelope.to_json().into(),
                                )
                                .expect("fresh object");
                                Shared::deliver(&shared, envelope, &data);
                            }
                        }
                    }
                },
            );
            target
                .borrow()
                .set_onmessage(Some(handler.as_ref().unchecked_ref()));
            if matches!(*target.borrow(), Target::Worker { .. }) {
                let on_message: js_sys::Function = handler.as_ref().clone().unchecked_into();
                error_handlers.push(Self::watch_for_crashes(
                    lane_index,
                    target.clone(),
                    queue.clone(),
                    shared_for_errors,
                    on_message,
                ));
            }
            handlers.push(handler);
            lanes.push(Lane {
                target,
                in_flight: Cell::new(0),
                queue,
            });
        }
        Pool {
            lanes,
            shared,
            next_id: Cell::new(1),
            _handlers: handlers,
            _error_handlers: error_handlers,
        }
    }

    /// A worker that dies (a panic aborts its wasm; the browser may kill one that runs out
    /// of memory) fails the requests it held instead of leaving them waiting forever, and
    /// is replaced by a fresh worker on the same lane.
    fn watch_for_crashes(
        lane: usize,
        target: Rc<RefCell<Target>>,
        queue: Rc<RefCell<Option<Vec<JsValue>>>>,
        shared: Rc<Shared>,
        on_message: js_sys::Function,
    ) -> ErrorHandler {
        let slot: Rc<RefCell<Option<js_sys::Function>>> = Rc::new(RefCell::new(None));
        let slot_in = slot.clone();
        let target_in = target.clone();
        let closure = Rc::new(Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(
            move |event: web_sys::ErrorEvent| {
                event.prevent_default();
                let detail = event.message();
                web_sys::console::error_1(
                    &format!("studio: worker {lane} stopped: {detail}").into(),
                );
                let failed: Vec<RequestId> = shared
                    .pending
                    .borrow()
                    .iter()
                    .filter(|(_, pending)| pending.lane == lane)
                    .map(|(id, _)| *id)
                    .collect();
                for request_id in failed {
                    let envelope =
                        EventEnvelope::new(request_id, Event::Failed(worker_died(&detail)));
                    let data = js_sys::Object::new();
                    js_sys::Reflect::set(&data, &"json".into(), &envelope.to_json().into())
                        .expect("fresh object");
                    Shared::deliver(&shared, envelope, &data);
                }
                let script_url = match &*target_in.borrow() {
                    Target::Worker { worker, script_url } => {
                        worker.terminate();
                        script_url.clone()
                    }
                    Target::Port(_) => return,
                };
                match Target::worker(&script_url) {
                    Ok(fresh) => {
                        // Requests wait for the new worker's "ready", like at start.
                        *queue.borrow_mut() = Some(Vec::new());
                        fresh.set_onmessage(Some(&on_message));
                        if let (Target::Worker { worker, .. }, Some(on_error)) =
                            (&fresh, slot_in.borrow().as_ref())
                        {
                            worker.set_onerror(Some(on_error));
                        }
                        *target_in.borrow_mut() = fresh;
                    }
                    Err(error) => web_sys::console::error_2(
                        &"studio: a worker could not be restarted".into(),
                        &error,
                    ),
                }
            },
        ));
        let function: js_sys::Function = closure.as_ref().as_ref().clone().unchecked_into();
        if let Target::Worker { worker, .. } = &*target.borrow() {
            worker.set_onerror(Some(&function));
        }
        *slot.borrow_mut() = Some(function);
        closure
    }

    pub fn size(&self) -> usize {
        self.lanes.len()
    }

    /// Reserves the id of the next request, so a caller can offer "cancel" before it resolves.
    pub fn next_request_id(&self) -> RequestId {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        id
    }

    /// Sends `request` to the least busy worker and waits for its terminal event.
    pub async fn request(
        &self,
        request_id: RequestId,
        request: Request,
        attachment: Option<web_sys::Blob>,
        on_progress: impl Fn(Progress) + 'static,
    ) -> Result<Reply, JobError> {
        self.request_with_bytes(request_id, request, attachment, on_progress)
            .await
            .map(|(reply, _)| reply)
    }

    /// Like [`Pool::request`], also giving the bytes a worker transferred beside its reply
    /// (an export), without a copy.
    pub async fn request_with_bytes(
        &self,
        request_id: RequestId,
        request: Request,
        attachment: Option<web_sys::Blob>,
        on_progress: impl Fn(Progress) + 'static,
    ) -> Result<(Reply, Option<js_sys::ArrayBuffer>), JobError> {
        let lane = self.lanes_by_load()[0];
        self.request_on(lane, request_id, request, attachment, on_progress)
            .await
    }

    /// The workers (lanes) from least to most busy: a job split over several workers
    /// sends each part to its own.
    pub fn lanes_by_load(&self) -> Vec<usize> {
        let mut lanes: Vec<usize> = (0..self.lanes.len()).collect();
        lanes.sort_by_key(|&lane| self.lanes[lane].in_flight.get());
        lanes
    }

    /// Like [`Pool::request_with_bytes`], on worker `lane`.
    pub async fn request_on(
        &self,
        lane: usize,
        request_id: RequestId,
        request: Request,
        attachment: Option<web_sys::Blob>,
        on_progress: impl Fn(Progress) + 'static,
    ) -> Result<(Reply, Option<js_sys::ArrayBuffer>), JobError> {
        let message = js_sys::Object::new();
        let json = RequestEnvelope::new(request_id, request).to_json();
        js_sys::Reflect::set(&message, &"json".into(), &json.into()).expect("fresh object");
        if let Some(blob) = attachment {
            js_sys::Reflect::set(&message, &"file".into(), &blob).expect("fresh object");
        }
        let on_progress: Box<dyn Fn(Progress)> = Box::new(on_progress);
        let mut on_progress = Some(on_progress);
        let shared = self.shared.clone();
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            shared.pending.borrow_mut().insert(
                request_id,
                Pending {
                    lane,
                    on_progress: on_progress.take().expect("the executor runs once"),
                    resolve,
                },
            );
        });
        self.lanes[lane]
            .in_flight
            .set(self.lanes[lane].in_flight.get() + 1);
        if let Err(error) = self.lanes[lane].post(message.into()) {
            self.shared.pending.borrow_mut().remove(&request_id);
            self.lanes[lane]
                .in_flight
                .set(self.lanes[lane].in_flight.get() - 1);
            return Err(JobError::new(
                ErrorKind::Internal,
                format!("the request could not be sent to a worker: {error:?}"),
            ));
        }
        let outcome = JsFuture::from(promise).await;
        self.lanes[lane]
            .in_flight
            .set(self.lanes[lane].in_flight.get() - 1);
        let data = outcome.unwrap_or(JsValue::UNDEFINED);
        let json = js_sys::Reflect::get(&data, &"json".into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        let bytes = js_sys::Reflect::get(&data, &"buffer".into())
            .ok()
            .and_then(|v| v.dyn_into::<js_sys::ArrayBuffer>().ok());
        match EventEnvelope::from_json(&json).map(|e| e.event) {
            Ok(Event::Done(reply)) => Ok((reply, bytes)),
            Ok(Event::Failed(error)) => Err(error),
            Ok(Event::Progress(_)) => unreachable!("only terminal events resolve a request"),
            Err(error) => Err(error),
        }
    }

    /// Asks the worker running `request_id` to stop it; the request then fails as cancelled.
    pub fn cancel(&self, request_id: RequestId) {
        self.tell(
            request_id,
            Request::Cancel {
                target_request_id: request_id,
            },
        );
    }

    /// Sends `message` to the worker running `request_id`, without waiting for its answer
    /// (a cancel, a helper's results); nothing happens if that request has ended.
    pub fn tell(&self, request_id: RequestId, request: Request) {
        let lane = self
            .shared
            .pending
            .borrow()
            .get(&request_id)
            .map(|p| p.lane);
        let Some(lane) = lane else { return };
        let message = js_sys::Object::new();
        let json = RequestEnvelope::new(self.next_request_id(), request).to_json();
        js_sys::Reflect::set(&message, &"json".into(), &json.into()).expect("fresh object");
        if let Err(error) = self.lanes[lane].post(message.into()) {
            web_sys::console::error_2(&"studio: a message could not be sent".into(), &error);
        }
    }
}

impl Shared {
    /// Progress goes to the request's callback; a terminal event resolves its request with
    /// the whole message (`{ json, buffer? }`), so transferred bytes reach the caller.
    fn deliver(shared: &Rc<Shared>, envelope: EventEnvelope, data: &JsValue) {
        if envelope.is_terminal() {
            let pending = shared.pending.borrow_mut().remove(&envelope.request_id);
            if let Some(pending) = pending {
                if let Err(error) = pending.resolve.call1(&JsValue::NULL, data) {
                    web_sys::console::error_2(
                        &"studio: a reply could not be delivered".into(),
                        &error,
                    );
                }
            }
        } else if let Event::Progress(progress) = envelope.event {
            // Borrow only to find the callback; the callback may touch signals, not the map.
            let pending = shared.pending.borrow();
            if let Some(pending) = pending.get(&envelope.request_id) {
                (pending.on_progress)(progress);
            }
        }
    }
}

thread_local! {
    static POOL: RefCell<Option<Rc<Pool>>> = const { RefCell::new(None) };
}

/// The app's pool, started on first use.
pub fn pool() -> Result<Rc<Pool>, JobError> {
    POOL.with(|cell| {
        if let Some(pool) = cell.borrow().as_ref() {
            return Ok(pool.clone());
        }
        let pool = Rc::new(Pool::spawn(pool_size()).map_err(|e| {
            JobError::new(
                ErrorKind::Internal,
                format!("this browser could not start a Web Worker: {e:?}"),
            )
        })?);
        *cell.borrow_mut() = Some(pool.clone());
        Ok(pool)
    })
}

/// Sends one request on the app's pool.
pub async fn call(
    request: Request,
    attachment: Option<web_sys::Blob>,
    on_progress: impl Fn(Progress) + 'static,
) -> Result<Reply, JobError> {
    let pool = pool()?;
    let request_id = pool.next_request_id();
    pool.request(request_id, request, attachment, on_progress)
        .await
}
