//! The worker's side of the bridge: reads request envelopes from a message endpoint, runs each as its own task, posts progress and one terminal event.
//!
//! A message is a JS object `{ json, file? }`: the envelope as JSON text, and a `Blob`/`File`
//! handle when the request has one (structured clone shares the handle, not the bytes).

use std::rc::Rc;

use compute::protocol::{Event, EventEnvelope, JobError, Request, RequestEnvelope};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::jobs::{run, Context, Finished};

/// Anything that can post and receive messages: the worker's global scope, or one end of a
/// `MessageChannel` (how the bridge is tested inside one page).
#[derive(Clone)]
pub enum Endpoint {
    Scope(web_sys::DedicatedWorkerGlobalScope),
    Port(web_sys::MessagePort),
}

impl Endpoint {
    fn post(&self, message: &JsValue) {
        let result = match self {
            Endpoint::Scope(scope) => scope.post_message(message),
            Endpoint::Port(port) => port.post_message(message),
        };
        if let Err(error) = result {
            // The other side is gone (page closed); nobody is left to tell.
            web_sys::console::warn_2(&"studio worker: a reply could not be posted".into(), &error);
        }
    }

    fn set_onmessage(&self, handler: Option<&js_sys::Function>) {
        match self {
            Endpoint::Scope(scope) => scope.set_onmessage(handler),
            Endpoint::Port(port) => {
                port.set_onmessage(handler);
                port.start();
            }
        }
    }

    pub fn post_event(&self, envelope: &EventEnvelope) {
        let message = js_sys::Object::new();
        js_sys::Reflect::set(&message, &"json".into(), &envelope.to_json().into())
            .expect("setting a property on a fresh object");
        self.post(&message);
    }

    /// Posts an event with bytes beside it, transferring (not copying) their buffer.
    pub fn post_event_with_bytes(&self, envelope: &EventEnvelope, bytes: &[u8]) {
        let message = js_sys::Object::new();
        js_sys::Reflect::set(&message, &"json".into(), &envelope.to_json().into())
            .expect("setting a property on a fresh object");
        let buffer = js_sys::Uint8Array::from(bytes).buffer();
        js_sys::Reflect::set(&message, &"buffer".into(), &buffer).expect("fresh object");
        let transfer = js_sys::Array::of1(&buffer);
        let result = match self {
            Endpoint::Scope(scope) => scope.post_message_with_transfer(&message, &transfer),
            Endpoint::Port(port) => port.post_message_with_transferable(&message, &transfer),
        };
        if let Err(error) = result {
            web_sys::console::warn_2(&"studio worker: a reply could not be posted".into(), &error);
        }
    }
}

/// Reads `{ json, file? }`.
pub fn read_message(data: &JsValue) -> (Option<String>, Option<web_sys::Blob>) {
    let json = js_sys::Reflect::get(data, &"json".into())
        .ok()
        .and_then(|v| v.as_string());
    let file = js_sys::Reflect::get(data, &"file".into())
        .ok()
        .and_then(|v| v.dyn_into::<web_sys::Blob>().ok());
    (json, file)
}

/// Serves requests on `endpoint` until the worker ends, storing into database `db_name`.
pub fn serve(endpoint: Endpoint, db_name: &str) {
    let ctx = Rc::new(Context::new(db_name));
    let reply_to = endpoint.clone();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let (json, attachment) = read_message(&event.data());
            let envelope = match RequestEnvelope::from_json(json.as_deref().unwrap_or("")) {
                Ok(envelope) => envelope,
                Err(error) => {
                    // Without a readable id the best answer goes to id 0, which no client uses.
                    reply_to.post_event(&EventEnvelope::new(0, Event::Failed(error)));
                    return;
                }
            };
            let request_id = envelope.request_id;
            let mut envelope = envelope;
            match &mut envelope.request {
                // Handled at once, not queued: the job it stops checks between chunks.
                Request::Cancel { target_request_id } => ctx.cancel(*target_request_id),
                // Likewise: the training it feeds is waiting for it.
                Request::DeliverShard {
                    target_request_id,
                    results,
                } => ctx.deliver(*target_request_id, std::mem::take(results)),
                _ => {}
            }
            let ctx = ctx.clone();
            let reply_to = reply_to.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let progress_to = reply_to.clone();
                let progress = move |p| {
                    progress_to.post_event(&EventEnvelope::new(request_id, Event::Progress(p)))
                };
                let result: Result<_, JobError> =
                    run(&ctx, request_id, envelope.request, attachment, &progress).await;
                ctx.forget(request_id);
                match result {
                    Ok(Finished {
                        reply,
                        bytes: Some(bytes),
                    }) => reply_to.post_event_with_bytes(
                        &EventEnvelope::new(request_id, Event::Done(reply)),
                        &bytes,
                    ),
                    Ok(Finished { reply, bytes: None }) => {
                        reply_to.post_event(&EventEnvelope::new(request_id, Event::Done(reply)))
                    }
                    Err(error) => {
                        reply_to.post_event(&EventEnvelope::new(request_id, Event::Failed(error)))
                    }
                }
            });
        });
    endpoint.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    // Messages that reach a worker before its handler is set are dropped, so the page
    // holds its requests until this arrives.
    let ready = js_sys::Object::new();
    js_sys::Reflect::set(&ready, &"ready".into(), &JsValue::TRUE).expect("fresh object");
    endpoint.post(&ready);
}
