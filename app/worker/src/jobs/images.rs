//! The image jobs: import a folder of class folders or a zip of one (decoded here, stored whole in one transaction with its lineage), list and delete image sets, send thumbnails, train an image classifier (one step at a time, with a chance to cancel between) and predict one dropped image.

use compute::automl::AutomlOptions;
use compute::experiments::{
    default_experiment, runs_for_build, BuildContext, ExperimentRecord, RunIds,
};
use compute::image::dataset::images_to_predict;
use compute::image::features::LABEL_COLUMN;
use compute::image::model::{ImageTraining, ImageTrainingStep};
use compute::image::set::{dataset_from_thumbnails, prepare_image_set_with_progress};
use compute::image::{decode_image, FeatureParams, ImageError, ImageModel};
use compute::lineage::{
    make_id, model_name, plan_delete_image_set, plan_import_images, plan_train_images,
    ImportImagesInput, TrainImagesInput, CODE_VERSION, MAX_NAME_CHARS,
};
use compute::ml::{MlError, Model};
use compute::protocol::{
    ErrorKind, FolderFile, ImageSetSummary, JobError, OnePrediction, Progress, Reply, RequestId,
    ThumbnailRef, ThumbnailSelect,
};
use compute::records::{stores, SourceFile};

use super::{
    entropy, file_stem, let_messages_in, now_ms, read_slice, Context, Finished, READ_CHUNK_BYTES,
};

fn bad_input(error: impl std::fmt::Display) -> JobError {
    JobError::new(ErrorKind::BadInput, error.to_string())
}

/// The engine's errors are about the user's images (a damaged file, an empty class
/// folder…), except a cancel.
fn image_error(error: ImageError) -> JobError {
    match error {
        ImageError::Ml(MlError::Cancelled) => JobError::cancelled(),
        error => bad_input(error),
    }
}

fn seconds() -> f64 {
    now_ms() / 1000.0
}

/// The whole attachment, read in slices with progress and a chance to cancel between,
/// held to the import size limit before any is read; and the source it stands for.
async fn read_all(
    ctx: &Context,
    request_id: RequestId,
    name: &str,
    attachment: Option<web_sys::Blob>,
    progress: &dyn Fn(Progress),
) -> Result<(Vec<u8>, SourceFile), JobError> {
    let blob = attachment.ok_or_else(|| {
        JobError::new(
            ErrorKind::Protocol,
            "an image import arrived without its files",
        )
    })?;
    let total = blob.size() as u64;
    compute::csv::check_import_size(name, total).map_err(bad_input)?;
    let mut bytes = Vec::with_capacity(total as usize);
    let mut offset = 0;
    while offset < total {
        progress(Progress {
            stage: format!("reading {name}"),
            done: offset,
            total,
        });
        let_messages_in().await;
        ctx.check_cancelled(request_id)?;
        let end = (offset + READ_CHUNK_BYTES).min(total);
        bytes.extend(read_slice(&blob, offset, end).await?);
        offset = end;
    }
    let source = SourceFile {
        file_name: name.to_string(),
        size_bytes: total,
        content_hash: blake3::hash(&bytes).to_hex().to_string(),
    };
    Ok((bytes, source))
}

/// Stores a folder picked or dropped whole: its files arrive one after the other in one
/// attachment and are cut apart by their sizes.
pub(super) async fn import_folder(
    ctx: &Context,
    request_id: RequestId,
    folder_name: &str,
    files: &[FolderFile],
    attachment: Option<web_sys::Blob>,
    progress: &dyn Fn(Progress),
) -> Result<Reply, JobError> {
    let (bytes, source) = read_all(ctx, request_id, folder_name, attachment, progress).await?;
    let total: u64 = files.iter().map(|f| f.size_bytes).sum();
    if total != bytes.len() as u64 {
        return Err(JobError::new(
            ErrorKind::Protocol,
            format!(
                "the folder {folder_name} arrived with {} bytes, its files say {total}",
                bytes.len()
            ),
        ));
    }
    let mut offset = 0usize;
    let mut entries = Vec::with_capacity(files.len());
    for file in files {
        let end = offset + file.size_bytes as usize;
        entries.push((file.path.clone(), bytes[offset..end].to_vec()));
        offset = end;
    }
    drop(bytes);
    store_images(
        ctx,
        request_id,
        folder_name,
        "folder",
        source,
        entries,
        progress,
    )
    .await
}

/// Stores the class folders of a zip (unpacked with the archive's limits).
pub(super) async fn import_zip(
    ctx: &Context,
    request_id: RequestId,
    file_name: &str,
    attachment: Option<web_sys::Blob>,
    progress: &dyn Fn(Progress),
) -> Result<Reply, JobError> {
    let (bytes, source) = read_all(ctx, request_id, file_name, attachment, progress).await?;
    let entries = compute::image::dataset::zip_entries(file_name, &bytes).map_err(image_error)?;
    drop(bytes);
    let name = file_stem(file_name).unwrap_or(file_name).to_string();
    store_images(ctx, request_id, &name, "zip", source, entries, progress).await
}

/// How often a long decode posts its progress.
const PROGRESS_EVERY_MS: f64 = 200.0;

/// Decodes the images, makes their thumbnails and stores the set with its lineage in one
/// transaction: a bad input (an empty class folder, a single class, no image) stores
/// nothing.
async fn store_images(
    ctx: &Context,
    request_id: RequestId,
    name: &str,
    reader: &str,
    source: SourceFile,
    entries: Vec<(String, Vec<u8>)>,
    progress: &dyn Fn(Progress),
) -> Result<Reply, JobError> {
    let started_at_ms = now_ms();
    progress(Progress {
        stage: "decoding images".into(),
        done: 0,
        total: entries.len() as u64,
    });
    let_messages_in().await;
    ctx.check_cancelled(request_id)?;
    let decode_started = seconds();
    // Decoding is one synchronous call: its progress reaches the page (posting is not
    // blocked), a cancel is seen once it ends, before anything is stored.
    let mut last_posted_ms = now_ms();
    let prepared = prepare_image_set_with_progress(&entries, &mut |done, total| {
        let now = now_ms();
        if now - last_posted_ms >= PROGRESS_EVERY_MS {
            last_posted_ms = now;
            progress(Progress {
                stage: "decoding images".into(),
                done: done as u64,
                total: total as u64,
            });
        }
    })
    .map_err(image_error)?;
    drop(entries);
    let decode_secs = seconds() - decode_started;
    let warnings: Vec<String> = prepared.warnings.iter().map(ToString::to_string).collect();
    progress(Progress {
        stage: "storing".into(),
        done: prepared.entries.len() as u64,
        total: prepared.entries.len() as u64,
    });
    let (record, batch) = plan_import_images(ImportImagesInput {
        image_set_id: make_id("img", &entropy()),
        source_artifact_id: make_id("art", &entropy()),
        image_set_artifact_id: make_id("art", &entropy()),
        action_id: make_id("act", &entropy()),
        name: name.to_string(),
        source,
        prepared,
        parameters: std::collections::BTreeMap::from([
            ("reader".to_string(), reader.to_string()),
            ("max_side".to_string(), compute::image::MAX_SIDE.to_string()),
        ]),
        started_at_ms,
        ended_at_ms: now_ms(),
    });
    let store = ctx.store().await?;
    ctx.commit(&store, request_id, batch).await?;
    Ok(Reply::ImportedImages {
        image_set: ImageSetSummary::of(&record),
        warnings,
        decode_secs,
    })
}

/// Deletes an image set (and its images unless another set shares them) in one
/// transaction; lineage stays.
pub(super) async fn delete_image_set(
    ctx: &Context,
    request_id: RequestId,
    image_set_id: &str,
) -> Result<Reply, JobError> {
    let store = ctx.store().await?;
    let set = store.image_set(image_set_id).await?;
    ctx.commit(&store, request_id, plan_delete_image_set(&set, now_ms()))
        .await?;
    Ok(Reply::ImageSetDeleted {
        image_set_id: image_set_id.to_string(),
    })
}

pub(super) async fn list_image_sets(ctx: &Context) -> Result<Reply, JobError> {
    let sets = ctx.store().await?.image_sets().await?;
    Ok(Reply::ImageSets {
        image_sets: sets.iter().map(ImageSetSummary::of).collect(),
    })
}

/// At most this many thumbnails in one answer (a gallery of many classes pages them).
const MAX_THUMBNAILS: usize = 2000;

/// The chosen thumbnails' PNGs, one after the other, transferred beside the reply.
pub(super) async fn thumbnails(
    ctx: &Context,
    image_set_id: &str,
    select: &ThumbnailSelect,
) -> Result<Finished, JobError> {
    let store = ctx.store().await?;
    let set = store.image_set(image_set_id).await?;
    let chosen: Vec<usize> = match select {
        ThumbnailSelect::PerClass { n } => {
            let mut taken = std::collections::HashMap::<&str, u32>::new();
            (0..set.images.len())
                .filter(|&index| {
                    let seen = taken.entry(set.images[index].class.as_str()).or_default();
                    *seen += 1;
                    *seen <= *n
                })
                .collect()
        }
        ThumbnailSelect::Files { files } => files
            .iter()
            .filter_map(|file| set.images.iter().position(|image| &image.file == file))
            .collect(),
    };
    let mut refs = Vec::new();
    let mut bytes = Vec::new();
    for index in chosen.into_iter().take(MAX_THUMBNAILS) {
        let png = store
            .image(stores::IMAGE_THUMBS, &set.content_hash, index as u64)
            .await?;
        let image = &set.images[index];
        refs.push(ThumbnailRef {
            file: image.file.clone(),
            class: image.class.clone(),
            size_bytes: png.len() as u64,
        });
        bytes.extend(png);
    }
    Ok(Finished {
        reply: Reply::ImageThumbnails {
            image_set_id: image_set_id.to_string(),
            thumbnails: refs,
        },
        bytes: Some(bytes),
    })
}

/// What a `TrainImages` request asks.
pub(super) struct TrainImagesJob<'a> {
    pub image_set_id: &'a str,
    pub name: &'a str,
    pub experiment: &'a str,
    pub options: AutomlOptions,
}

/// AutoML on an image set's pixels and HOG features: the images are read back from their
/// thumbnails, a fifth held out, every step of the search, the refit and the evaluation
/// followed by a chance for a cancel; stored like a table's model, with runs.
pub(super) async fn train_images(
    ctx: &Context,
    request_id: RequestId,
    job: TrainImagesJob<'_>,
    progress: &dyn Fn(Progress),
) -> Result<Reply, JobError> {
    let experiment = job.experiment.trim();
    if experiment.chars().count() > MAX_NAME_CHARS {
        return Err(bad_input(format!(
            "an experiment name can be at most {MAX_NAME_CHARS} characters"
        )));
    }
    let store = ctx.store().await?;
    let set = store.image_set(job.image_set_id).await?;
    let name = model_name(job.name, LABEL_COLUMN, &set.name).map_err(bad_input)?;
    let started_at_ms = now_ms();
    let n_images = set.images.len() as u64;
    progress(Progress {
        stage: "reading images".into(),
        done: 0,
        total: n_images,
    });
    let thumbnails = store
        .image_bytes(
            stores::IMAGE_THUMBS,
            &set.content_hash,
            0,
            n_images.saturating_sub(1),
        )
        .await?;
    let_messages_in().await;
    ctx.check_cancelled(request_id)?;
    let dataset = dataset_from_thumbnails(&set, &thumbnails).map_err(image_error)?;
    drop(thumbnails);
    let params = FeatureParams::default();
    let mut training =
        ImageTraining::new(&dataset, &params, &job.options, &seconds).map_err(image_error)?;
    drop(dataset);
    let report = |training: &ImageTraining| {
        let (done, total) = training.training().progress();
        progress(Progress {
            stage: training.training().stage(),
            done: done as u64,
            total: total as u64,
        });
    };
    let run = loop {
        report(&training);
        // A wasm worker hears no message while a step runs: each step ends with a chance
        // for a Cancel to arrive.
        let_messages_in().await;
        ctx.check_cancelled(request_id)?;
        match training.step(&seconds).map_err(image_error)? {
            ImageTrainingStep::Advanced => {}
            ImageTrainingStep::Finished(run) => break *run,
        }
    };
    let ended_at_ms = now_ms();
    let model_id = make_id("model", &entropy());
    let action_id = make_id("act", &entropy());
    let experiments = store.experiments().await?;
    let found = if experiment.is_empty() {
        default_experiment(&experiments, &set.name, LABEL_COLUMN)
    } else {
        experiments.iter().find(|e| e.name == experiment)
    };
    let (experiment_id, new_experiment) = match found {
        Some(found) => (found.experiment_id.clone(), None),
        None => {
            let id = make_id("exp", &entropy());
            let created = if experiment.is_empty() {
                ExperimentRecord::default_for(id, &set.name, LABEL_COLUMN, ended_at_ms)
            } else {
                ExperimentRecord::named(id, experiment, ended_at_ms)
            };
            (created.experiment_id.clone(), Some(created))
        }
    };
    let trace = match &run.model.model_file.model {
        Model::Gbdt(model) => Some(&model.trace),
        Model::Logistic(model) => Some(&model.trace),
        _ => None,
    };
    let context = BuildContext {
        experiment_id,
        run_ids: RunIds::Derived {
            build_run_id: make_id("run", &entropy()),
        },
        run_name: Some(name.clone()),
        model_id: Some(model_id.clone()),
        action_id: Some(action_id.clone()),
        dataset_id: Some(set.image_set_id.clone()),
        dataset_name: Some(set.name.clone()),
        dataset_content_hash: Some(set.content_hash.clone()),
        recipe_hashes: Vec::new(),
        started_at_ms,
        duration_secs: (ended_at_ms - started_at_ms) / 1000.0,
        code_version: CODE_VERSION.to_string(),
        trace,
    };
    let mut runs = runs_for_build(&run.report, &context)
        .map_err(|e| JobError::new(ErrorKind::Internal, e.to_string()))?
        .into_runs();
    for run_record in &mut runs {
        // Says in the runs table that these runs read images, not a table's columns.
        run_record
            .tags
            .insert("studio.input".to_string(), "images".to_string());
    }
    let (record, batch) = plan_train_images(
        &set,
        TrainImagesInput {
            model_id,
            artifact_id: make_id("art", &entropy()),
            action_id,
            name,
            options: job.options,
            run,
            n_train_rows: training.training().n_train_rows() as u64,
            n_holdout_rows: training.training().n_test_rows() as u64,
            started_at_ms,
            ended_at_ms,
            new_experiment,
            runs,
        },
    );
    ctx.commit(&store, request_id, batch).await?;
    Ok(Reply::Model {
        model: Box::new(record),
    })
}

/// The largest image file a prediction reads.
const MAX_PREDICT_BYTES: u64 = 64 << 20;

/// Predicts one dropped image file with an image model: decoded, brought to the model's
/// size and colour model (said in a warning), featurized and predicted. Nothing is stored.
pub(super) async fn predict_image(
    ctx: &Context,
    model_id: &str,
    file_name: &str,
    attachment: Option<web_sys::Blob>,
) -> Result<Reply, JobError> {
    let store = ctx.store().await?;
    let record = store.model(model_id).await?;
    if record.image.is_none() {
        return Err(bad_input(format!(
            "model \"{}\" predicts rows of a table, not images",
            record.name
        )));
    }
    let blob = attachment.ok_or_else(|| {
        JobError::new(
            ErrorKind::Protocol,
            "a prediction arrived without its image",
        )
    })?;
    let size_bytes = blob.size() as u64;
    if size_bytes > MAX_PREDICT_BYTES {
        return Err(bad_input(format!(
            "{file_name}: {} is larger than an image the studio predicts ({} MB)",
            size_bytes,
            MAX_PREDICT_BYTES >> 20
        )));
    }
    let bytes = read_slice(&blob, 0, size_bytes).await?;
    // Decoded first so that a damaged or unknown file is refused in the decoder's words.
    decode_image(file_name, &bytes).map_err(image_error)?;
    let file = store.model_file(model_id).await?;
    let model = ImageModel::from_json(&file.json).map_err(|reason| {
        JobError::new(
            ErrorKind::Storage,
            format!("the stored model cannot be read: {reason}"),
        )
    })?;
    // Named as a known image file, so its own extension (or none) does not leave it out.
    let entries = vec![("image.png".to_string(), bytes)];
    let (images, warnings) = images_to_predict(&entries, model.size, model.color);
    if images.is_empty() {
        return Err(bad_input(format!("{file_name}: not a PNG or JPEG image")));
    }
    let predictions = model.predict(&images).map_err(image_error)?;
    let class = predictions.values[0] as usize;
    let probabilities: Vec<(String, f64)> = match &predictions.proba {
        Some(proba) => predictions
            .classes
            .iter()
            .cloned()
            .zip(proba[0].iter().copied())
            .collect(),
        None => Vec::new(),
    };
    let warnings = warnings
        .iter()
        .map(|w| w.to_string().replace("image.png", file_name))
        .collect();
    Ok(Reply::Prediction {
        model_id: model_id.to_string(),
        prediction: OnePrediction {
            prediction: predictions.classes[class].clone(),
            value: None,
            probabilities,
            warnings,
        },
    })
}
