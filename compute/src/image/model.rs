//! A stored image model (the featurizer and the tabular AutoML's model file kept together, serializable), `train_images`, which trains one with AutoML on image features, and its predictions on new images.

use serde::{Deserialize, Serialize};

use super::dataset::{ImageDataset, NamedImage};
use super::features::{check_features, feature_frame, FILE_COLUMN, LABEL_COLUMN};
use super::{ColorMode, FeatureParams, ImageError, ImageSize, Misclassified, MAX_MISCLASSIFIED};
use crate::automl::cv::split_dataset;
use crate::automl::run::{predict, run, AutomlRun, ModelFile, Predictions, Training, TrainingStep};
use crate::automl::{AutomlOptions, AutomlReport};
use crate::frame::{Column, Frame};
use crate::ml::{Control, Progress};

/// The version of [`ImageModel`]'s layout.
pub const IMAGE_MODEL_SCHEMA_VERSION: u32 = 1;

/// Everything a prediction on new images needs: the size and colour model images are
/// brought to, the features made of them, and the tabular model trained on those features.
/// Stored as JSON (`studio train --model-out` on image folders).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageModel {
    pub schema_version: u32,
    /// Always `"image_classification"`: tells an image model file from a tabular one.
    pub kind: String,
    pub size: ImageSize,
    pub color: ColorMode,
    pub features: FeatureParams,
    pub classes: Vec<String>,
    pub model_file: ModelFile,
}

const KIND: &str = "image_classification";

/// A finished image training: the AutoML report (its holdout holds the confusion matrix),
/// the model, and the holdout images it got wrong.
#[derive(Clone, Debug)]
pub struct ImageRun {
    pub report: AutomlReport,
    pub model: ImageModel,
    /// The most confident mistakes first (at most [`MAX_MISCLASSIFIED`]).
    pub misclassified: Vec<Misclassified>,
}

fn dataset_frame(dataset: &ImageDataset, params: &FeatureParams) -> Frame {
    let files: Vec<&str> = dataset.images.iter().map(|i| i.file.as_str()).collect();
    let pixels: Vec<&[u8]> = dataset.images.iter().map(|i| i.pixels.as_slice()).collect();
    let labels: Vec<&str> = dataset.images.iter().map(|i| i.class.as_str()).collect();
    feature_frame(
        params,
        dataset.size,
        dataset.color,
        &files,
        &pixels,
        Some(&labels),
    )
}

/// Trains a classifier of `train`'s classes with the tabular AutoML (`options`' build,
/// metric, seed and budget; its target and dropped columns are set here) on the features
/// `params` make of each image, and evaluates it on `test` (which must have `train`'s size
/// and colour model: read it with that shape) or, without one, on a seeded, stratified fifth
/// of `train` held out. `clock` reads seconds; `progress` counts jobs and may cancel.
pub fn train_images(
    train: &ImageDataset,
    test: Option<&ImageDataset>,
    params: &FeatureParams,
    options: &AutomlOptions,
    clock: &dyn Fn() -> f64,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<ImageRun, ImageError> {
    check_features(params, train.size)?;
    if let Some(test) = test {
        if (test.size, test.color) != (train.size, train.color) {
            return Err(ImageError::InvalidParameter {
                name: "test",
                reason: format!(
                    "images are {} {}, not the training images' {} {}; read them with the training shape",
                    test.size,
                    test.color.label(),
                    train.size,
                    train.color.label()
                ),
            });
        }
    }
    let options = AutomlOptions {
        target: LABEL_COLUMN.to_string(),
        drop: vec![FILE_COLUMN.to_string()],
        ..options.clone()
    };
    let frame = dataset_frame(train, params);
    let (train_frame, test_frame) = match test {
        Some(test) => (frame, dataset_frame(test, params)),
        None => {
            let split = split_dataset(&frame, &options)?;
            (split.train, split.holdout)
        }
    };
    let finished = run(&train_frame, Some(&test_frame), &options, clock, progress)?;
    image_run(finished, train.size, train.color, params, &test_frame)
}

/// The image model made of a finished tabular run, with the test images it got wrong.
fn image_run(
    finished: AutomlRun,
    size: ImageSize,
    color: ColorMode,
    params: &FeatureParams,
    test_frame: &Frame,
) -> Result<ImageRun, ImageError> {
    let model = ImageModel {
        schema_version: IMAGE_MODEL_SCHEMA_VERSION,
        kind: KIND.to_string(),
        size,
        color,
        features: params.clone(),
        classes: finished.model_file.metadata.classes.clone(),
        model_file: finished.model_file,
    };
    let misclassified = misclassified(&model, test_frame)?;
    Ok(ImageRun {
        report: finished.report,
        model,
        misclassified,
    })
}

/// [`train_images`] without a test set, one step at a time (the search's fold jobs, the
/// refit, the evaluation, the diagnosis): a browser worker awaits between steps so that a
/// cancel can arrive. Gives the same run as [`train_images`] with `test: None`.
#[derive(Clone, Debug)]
pub struct ImageTraining {
    training: Training,
    holdout: Frame,
    size: ImageSize,
    color: ColorMode,
    params: FeatureParams,
}

/// What one step of an [`ImageTraining`] did.
#[derive(Clone, Debug)]
pub enum ImageTrainingStep {
    /// A step of the tabular training ran ([`ImageTraining::training`] says how far it is).
    Advanced,
    Finished(Box<ImageRun>),
}

impl ImageTraining {
    /// Makes the features of `dataset`'s images, holds out a seeded, stratified fifth and
    /// plans the search (`options` as for [`train_images`]).
    pub fn new(
        dataset: &ImageDataset,
        params: &FeatureParams,
        options: &AutomlOptions,
        clock: &dyn Fn() -> f64,
    ) -> Result<ImageTraining, ImageError> {
        check_features(params, dataset.size)?;
        let options = AutomlOptions {
            target: LABEL_COLUMN.to_string(),
            drop: vec![FILE_COLUMN.to_string()],
            ..options.clone()
        };
        let frame = dataset_frame(dataset, params);
        let split = split_dataset(&frame, &options)?;
        drop(frame);
        let training = Training::new(&split.train, Some(split.holdout.clone()), &options, clock)?;
        Ok(ImageTraining {
            training,
            holdout: split.holdout,
            size: dataset.size,
            color: dataset.color,
            params: params.clone(),
        })
    }

    /// The tabular training underneath: its progress, stage, row counts and options.
    pub fn training(&self) -> &Training {
        &self.training
    }

    pub fn step(&mut self, clock: &dyn Fn() -> f64) -> Result<ImageTrainingStep, ImageError> {
        match self.training.step(clock)? {
            TrainingStep::Finished(finished) => {
                let run = image_run(
                    *finished,
                    self.size,
                    self.color,
                    &self.params,
                    &self.holdout,
                )?;
                Ok(ImageTrainingStep::Finished(Box::new(run)))
            }
            TrainingStep::Job { .. }
            | TrainingStep::Refitted
            | TrainingStep::Evaluated
            | TrainingStep::AwaitingResults => Ok(ImageTrainingStep::Advanced),
        }
    }
}

/// The rows of a labelled feature frame the model gets wrong, most confident first (ties in
/// file order), at most [`MAX_MISCLASSIFIED`].
fn misclassified(model: &ImageModel, frame: &Frame) -> Result<Vec<Misclassified>, ImageError> {
    let predictions = predict(&model.model_file.model, frame)?;
    let text = |name: &str, row: usize| {
        frame
            .column(name)
            .and_then(|column| column.display_value(row))
            .unwrap_or_default()
    };
    let proba = predictions.proba.as_deref().unwrap_or_default();
    let mut wrong: Vec<Misclassified> = (0..frame.n_rows())
        .filter_map(|row| {
            let class = predictions.values[row] as usize;
            let predicted = &predictions.classes[class];
            let truth = text(LABEL_COLUMN, row);
            (predicted != &truth).then(|| Misclassified {
                file: text(FILE_COLUMN, row),
                true_class: truth,
                predicted: predicted.clone(),
                probability: proba.get(row).map_or(f64::NAN, |p| p[class]),
            })
        })
        .collect();
    wrong.sort_by(|a, b| {
        b.probability
            .total_cmp(&a.probability)
            .then_with(|| a.file.cmp(&b.file))
    });
    wrong.truncate(MAX_MISCLASSIFIED);
    Ok(wrong)
}

impl ImageModel {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an image model always serializes")
    }

    /// Reads an image model file, refusing tabular model files and other schema versions
    /// by name.
    pub fn from_json(json: &str) -> Result<ImageModel, String> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|error| format!("not a model file: {error}"))?;
        if value.get("kind").and_then(serde_json::Value::as_str) != Some(KIND) {
            return Err("not an image model file".to_string());
        }
        let version = value
            .get("schema_version")
            .and_then(serde_json::Value::as_u64);
        if version != Some(u64::from(IMAGE_MODEL_SCHEMA_VERSION)) {
            return Err(format!(
                "image model schema version {} is not {IMAGE_MODEL_SCHEMA_VERSION}, the one this studio reads",
                version.map_or("missing".to_string(), |v| v.to_string())
            ));
        }
        // The tabular model inside is checked as `ModelFile::from_json` checks one.
        let inner = value
            .get("model_file")
            .map(serde_json::Value::to_string)
            .unwrap_or_default();
        ModelFile::from_json(&inner)?;
        serde_json::from_value(value).map_err(|error| format!("not an image model file: {error}"))
    }

    /// Predicts `images` (read at the model's size and colour model, see
    /// [`images_to_predict`](super::dataset::images_to_predict)).
    pub fn predict(&self, images: &[NamedImage]) -> Result<Predictions, ImageError> {
        let files: Vec<&str> = images.iter().map(|i| i.file.as_str()).collect();
        let pixels: Vec<&[u8]> = images.iter().map(|i| i.pixels.as_slice()).collect();
        let frame = feature_frame(&self.features, self.size, self.color, &files, &pixels, None);
        Ok(predict(&self.model_file.model, &frame)?)
    }
}

/// The predictions as a frame beside their files: `file`, `prediction`, `proba_<class>`.
pub fn predictions_frame(files: &[&str], predictions: &Predictions) -> Frame {
    let array: arrow_array::StringArray = files.iter().map(|file| Some(*file)).collect();
    let mut columns = vec![Column::new(
        FILE_COLUMN,
        crate::schema::ColumnType::String,
        std::sync::Arc::new(array) as arrow_array::ArrayRef,
    )
    .expect("a Utf8 array is a string column")];
    columns.extend(predictions.to_frame().columns().iter().cloned());
    Frame::new(columns).expect("prediction columns have distinct names and equal lengths")
}
