//! The one tree grower behind every model: gradient histograms on `u8` bins with the subtraction trick, in-place row partitions, best-first or depth-first growth.
//!
//! Every split criterion here is one formula. Each row carries `k` "gradient" channels `g`
//! and a "hessian" `h`; a node's score is `Σ_c G_c² / (H + λ)` and a split's gain is the
//! children's scores minus the parent's. Gradient boosting passes real gradients and
//! hessians (leaf value `-G / (H + λ)`); a forest passes `g = w·y` and `h = w`, for which the
//! gain is the weighted decrease of squared error (one channel) or, with one channel per
//! class of one-hot targets, of Gini impurity (leaf value `G / H`, the mean or the class
//! fractions).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use serde::{Deserialize, Serialize};

use super::bin::{BinMapper, BinnedMatrix, FeatureBins};
use super::matrix::DesignMatrix;
use super::rng::SplitMix64;

/// Nodes with fewer rows than this find splits by sorting their rows' bins instead of
/// filling (and scanning) dense 256-bin histograms.
const SMALL_NODE: usize = 96;
/// Categories with fewer rows than this in a node stay on the right of a categorical split
/// (scikit-learn's `MIN_CAT_SUPPORT`), and smooth the gradient ratios they are sorted by.
const MIN_CAT_SUPPORT: f64 = 10.0;
const LEAF: u32 = u32::MAX;
/// A split must gain more than this fraction of its parent's score: less is rounding noise.
const GAIN_TOLERANCE: f64 = 1e-12;

/// One node of a fitted tree. Internal nodes send a row left when its value is at most
/// `threshold` (numeric) or its category is in `categories_left`; missing values go left
/// when `missing_left`. A leaf's outputs are `values[value_index * n_outputs..][..n_outputs]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// `u32::MAX` for a leaf.
    pub feature: u32,
    pub threshold: f64,
    pub bin_threshold: u8,
    pub missing_left: bool,
    pub left: u32,
    pub right: u32,
    pub value_index: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories_left: Option<Box<CategorySet>>,
    /// Rows of the training set that reached the node.
    pub n_samples: u32,
    /// The split's gain (0 for a leaf), for impurity-based importance.
    pub gain: f64,
}

/// The categories of a categorical split that go left, as bitsets over category codes (for
/// raw matrices) and bins (for binned ones).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategorySet {
    pub codes: Vec<u64>,
    pub bins: [u64; 4],
}

fn in_bitset(bits: &[u64], index: usize) -> bool {
    bits.get(index / 64)
        .is_some_and(|word| word >> (index % 64) & 1 == 1)
}

/// A fitted tree with `n_outputs` values per leaf.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    pub nodes: Vec<Node>,
    pub n_outputs: usize,
    pub values: Vec<f64>,
}

impl Tree {
    pub fn n_leaves(&self) -> usize {
        self.values.len() / self.n_outputs.max(1)
    }

    /// The outputs of the leaf row `row` of `x` falls in.
    pub fn leaf_values(&self, x: &DesignMatrix, row: usize) -> &[f64] {
        let mut node = &self.nodes[0];
        while node.feature != LEAF {
            let value = x.column(node.feature as usize)[row];
            let left = if value.is_nan() {
                node.missing_left
            } else if let Some(set) = &node.categories_left {
                if value >= 0.0 && value.fract() == 0.0 && (value as usize) < set.codes.len() * 64 {
                    in_bitset(&set.codes, value as usize)
                } else {
                    // A category not seen at fit time is treated as missing.
                    node.missing_left
                }
            } else {
                value <= node.threshold
            };
            node = &self.nodes[if left { node.left } else { node.right } as usize];
        }
        let start = node.value_index as usize * self.n_outputs;
        &self.values[start..start + self.n_outputs]
    }

    /// The outputs for row `row` of a matrix binned by the mapper the tree was grown on.
    pub(crate) fn leaf_values_binned(&self, x: &BinnedMatrix, row: usize) -> &[f64] {
        let mut node = &self.nodes[0];
        while node.feature != LEAF {
            let feature = node.feature as usize;
            let bin = x.column(feature)[row];
            let left = if usize::from(bin) == x.n_bins(feature) {
                node.missing_left
            } else if let Some(set) = &node.categories_left {
                in_bitset(&set.bins, usize::from(bin))
            } else {
                bin <= node.bin_threshold
            };
            node = &self.nodes[if left { node.left } else { node.right } as usize];
        }
        let start = node.value_index as usize * self.n_outputs;
        &self.values[start..start + self.n_outputs]
    }

    /// Adds each split's gain to its feature's total (impurity-based importance).
    pub fn add_gains(&self, totals: &mut [f64]) {
        for node in &self.nodes {
            if node.feature != LEAF {
                totals[node.feature as usize] += node.gain;
            }
        }
    }
}

/// What a leaf's outputs are.
#[derive(Clone, Copy, Debug)]
pub(crate) enum LeafValue {
    /// `-G / (H + λ) · shrinkage` (gradient boosting).
    Newton { shrinkage: f64 },
    /// `G / H` (means, class fractions).
    Mean,
}

#[derive(Clone, Debug)]
pub(crate) struct GrowParams {
    pub max_leaf_nodes: Option<usize>,
    pub max_depth: Option<usize>,
    pub min_samples_leaf: usize,
    pub min_samples_split: usize,
    pub min_hessian_to_split: f64,
    pub l2_regularization: f64,
    /// Features tried per split (all when equal to the number of features).
    pub max_features: usize,
    pub leaf_value: LeafValue,
}

/// The rows' statistics: `k` gradient channels per row (row-major) and a hessian per row
/// (`None`: 1 for every row).
pub(crate) struct RowStats<'a> {
    pub k: usize,
    pub gradients: &'a [f64],
    pub hessians: Option<&'a [f64]>,
    /// When given, a node whose rows all hold the same value here is not split (a forest's
    /// pure node).
    pub targets: Option<&'a [f64]>,
}

/// The rows of one leaf after growth: `rows[start..end]` of the slice given to [`grow`].
pub(crate) struct LeafRows {
    pub start: usize,
    pub end: usize,
    pub value_index: usize,
}

/// Reusable buffers, so a forest or a boosting run allocates them once.
#[derive(Default)]
pub(crate) struct Scratch {
    free_histograms: Vec<Vec<f64>>,
    partition: Vec<u32>,
    ordered: Vec<f64>,
    ordered_hessians: Vec<f64>,
    feature_histogram: Vec<f64>,
    compact_bins: Vec<u16>,
    compact: Vec<f64>,
    sort_keys: Vec<u64>,
    order: Vec<usize>,
    features: Vec<usize>,
}

#[derive(Clone, Debug)]
enum SplitKind {
    Numeric { bin: u8 },
    Categorical { bins: [u64; 4] },
}

#[derive(Clone, Debug)]
struct Split {
    gain: f64,
    feature: usize,
    kind: SplitKind,
    missing_left: bool,
    /// Left child's sums: `k` gradients, hessian, count.
    left: Vec<f64>,
}

struct Open {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    /// `k` gradient sums, hessian sum, count.
    sums: Vec<f64>,
    histogram: Option<Vec<f64>>,
    split: Option<Split>,
}

struct HeapEntry {
    gain: f64,
    order: usize,
    open: Open,
}

impl PartialEq for HeapEntry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for HeapEntry {}
impl PartialOrd for HeapEntry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for HeapEntry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Largest gain first; on ties the node created first.
        self.gain
            .total_cmp(&other.gain)
            .then_with(|| other.order.cmp(&self.order))
    }
}

struct Grower<'a> {
    x: &'a BinnedMatrix,
    stats: &'a RowStats<'a>,
    params: &'a GrowParams,
    stride: usize,
    /// Offset of each feature's histogram in a full histogram.
    offsets: Vec<usize>,
    histogram_len: usize,
    use_subtraction: bool,
}

/// Grows one tree on `rows` (each row once; weights live in the stats). `rows` is
/// reordered so each leaf's rows are contiguous, as the returned [`LeafRows`] say.
pub(crate) fn grow(
    x: &BinnedMatrix,
    mapper: &BinMapper,
    stats: &RowStats<'_>,
    rows: &mut [u32],
    params: &GrowParams,
    rng: &mut SplitMix64,
    scratch: &mut Scratch,
) -> (Tree, Vec<LeafRows>) {
    let k = stats.k;
    let stride = k + 2;
    let mut offsets = Vec::with_capacity(x.n_features());
    let mut histogram_len = 0;
    for feature in 0..x.n_features() {
        offsets.push(histogram_len);
        histogram_len += (x.n_bins(feature) + 1) * stride;
    }
    let grower = Grower {
        x,
        stats,
        params,
        stride,
        offsets,
        histogram_len,
        use_subtraction: params.max_features >= x.n_features(),
    };
    grower.run(mapper, rows, rng, scratch)
}

impl Grower<'_> {
    fn run(
        &self,
        mapper: &BinMapper,
        rows: &mut [u32],
        rng: &mut SplitMix64,
        scratch: &mut Scratch,
    ) -> (Tree, Vec<LeafRows>) {
        let k = self.stats.k;
        let mut nodes: Vec<Node> = Vec::new();
        let mut values: Vec<f64> = Vec::new();
        let mut leaves: Vec<LeafRows> = Vec::new();
        let mut sums = vec![0.0; k + 2];
        for &row in rows.iter() {
            self.add_row(&mut sums, row as usize);
        }
        nodes.push(leaf_node(rows.len()));
        let mut root = Open {
            node: 0,
            start: 0,
            end: rows.len(),
            depth: 0,
            sums,
            histogram: None,
            split: None,
        };
        self.evaluate(&mut root, rows, rng, scratch);

        let best_first = self.params.max_leaf_nodes.is_some();
        let max_leaves = self.params.max_leaf_nodes.unwrap_or(usize::MAX);
        let mut heap: BinaryHeap<HeapEntry> = BinaryHeap::new();
        let mut stack: Vec<Open> = Vec::new();
        let mut order = 0;
        let mut n_leaves = 1;
        let mut finished: Vec<Open> = Vec::new();
        let mut push = |open: Open,
                        heap: &mut BinaryHeap<HeapEntry>,
                        stack: &mut Vec<Open>,
                        finished: &mut Vec<Open>| {
            match &open.split {
                None => finished.push(open),
                Some(split) if best_first => {
                    order += 1;
                    heap.push(HeapEntry {
                        gain: split.gain,
                        order,
                        open,
                    })
                }
                Some(_) => stack.push(open),
            }
        };
        push(root, &mut heap, &mut stack, &mut finished);
        loop {
            let open = if best_first {
                heap.pop().map(|entry| entry.open)
            } else {
                stack.pop()
            };
            let Some(mut open) = open else { break };
            if n_leaves >= max_leaves {
                open.split = None;
                finished.push(open);
                continue;
            }
            let split = open
                .split
                .take()
                .expect("only nodes with a split are queued");
            let middle = self.partition(&split, rows, open.start, open.end, scratch);
            n_leaves += 1;
            let right_sums: Vec<f64> = open
                .sums
                .iter()
                .zip(&split.left)
                .map(|(total, left)| total - left)
                .collect();
            let left_id = nodes.len();
            nodes.push(leaf_node(middle - open.start));
            nodes.push(leaf_node(open.end - middle));
            {
                let node = &mut nodes[open.node];
                node.feature = split.feature as u32;
                node.missing_left = split.missing_left;
                node.gain = split.gain;
                node.left = left_id as u32;
                node.right = left_id as u32 + 1;
                match &split.kind {
                    SplitKind::Numeric { bin } => {
                        node.bin_threshold = *bin;
                        node.threshold = match &mapper.features[split.feature] {
                            FeatureBins::Numeric { thresholds } => thresholds
                                .get(usize::from(*bin))
                                .copied()
                                .unwrap_or(f64::INFINITY),
                            FeatureBins::Categorical { .. } => f64::INFINITY,
                        };
                    }
                    SplitKind::Categorical { bins } => {
                        let codes = match &mapper.features[split.feature] {
                            FeatureBins::Categorical { bin_of_code, .. } => {
                                let mut codes = vec![0u64; bin_of_code.len().div_ceil(64).max(1)];
                                for (code, bin) in bin_of_code.iter().enumerate() {
                                    if bin.is_some_and(|bin| in_bitset(bins, usize::from(bin))) {
                                        codes[code / 64] |= 1 << (code % 64);
                                    }
                                }
                                codes
                            }
                            FeatureBins::Numeric { .. } => vec![0],
                        };
                        node.categories_left = Some(Box::new(CategorySet { codes, bins: *bins }));
                    }
                }
            }
            let mut left = Open {
                node: left_id,
                start: open.start,
                end: middle,
                depth: open.depth + 1,
                sums: split.left,
                histogram: None,
                split: None,
            };
            let mut right = Open {
                node: left_id + 1,
                start: middle,
                end: open.end,
                depth: open.depth + 1,
                sums: right_sums,
                histogram: None,
                split: None,
            };
            let left_splittable = self.splittable(&left, rows);
            let right_splittable = self.splittable(&right, rows);
            if let Some(mut parent_histogram) = open.histogram.take() {
                // Build the smaller child's histogram; the larger one's is the parent's minus it.
                let left_smaller = left.end - left.start <= right.end - right.start;
                let (small, large) = if left_smaller {
                    (&mut left, &mut right)
                } else {
                    (&mut right, &mut left)
                };
                let (small_splittable, large_splittable) = if left_smaller {
                    (left_splittable, right_splittable)
                } else {
                    (right_splittable, left_splittable)
                };
                let large_dense = large_splittable && large.end - large.start >= SMALL_NODE;
                if large_dense || (small_splittable && small.end - small.start >= SMALL_NODE) {
                    let mut small_histogram = self.new_histogram(scratch);
                    self.build_histogram(
                        &rows[small.start..small.end],
                        &mut small_histogram,
                        scratch,
                    );
                    if large_dense {
                        for (parent, child) in parent_histogram.iter_mut().zip(&small_histogram) {
                            *parent -= child;
                        }
                        large.histogram = Some(parent_histogram);
                    } else {
                        scratch.free_histograms.push(parent_histogram);
                    }
                    if small_splittable && small.end - small.start >= SMALL_NODE {
                        small.histogram = Some(small_histogram);
                    } else {
                        scratch.free_histograms.push(small_histogram);
                    }
                } else {
                    scratch.free_histograms.push(parent_histogram);
                }
            }
            // Children are evaluated left then right, so growth is the same for a seed.
            if left_splittable {
                self.evaluate(&mut left, rows, rng, scratch);
            }
            if right_splittable {
                self.evaluate(&mut right, rows, rng, scratch);
            }
            for child in [left, right] {
                let mut child = child;
                if child.split.is_none() {
                    if let Some(histogram) = child.histogram.take() {
                        scratch.free_histograms.push(histogram);
                    }
                }
                push(child, &mut heap, &mut stack, &mut finished);
            }
        }
        for entry in heap.drain() {
            finished.push(entry.open);
        }
        finished.sort_by_key(|open| open.node);
        for mut open in finished {
            if let Some(histogram) = open.histogram.take() {
                scratch.free_histograms.push(histogram);
            }
            let value_index = values.len() / k;
            let hessian = open.sums[k];
            for c in 0..k {
                let gradient = open.sums[c];
                values.push(match self.params.leaf_value {
                    LeafValue::Newton { shrinkage } => {
                        -gradient / (hessian + self.params.l2_regularization) * shrinkage
                    }
                    LeafValue::Mean => {
                        if hessian > 0.0 {
                            gradient / hessian
                        } else {
                            0.0
                        }
                    }
                });
            }
            nodes[open.node].value_index = value_index as u32;
            leaves.push(LeafRows {
                start: open.start,
                end: open.end,
                value_index,
            });
        }
        (
            Tree {
                nodes,
                n_outputs: k,
                values,
            },
            leaves,
        )
    }

    fn add_row(&self, sums: &mut [f64], row: usize) {
        let k = self.stats.k;
        for (sum, g) in sums
            .iter_mut()
            .zip(&self.stats.gradients[row * k..(row + 1) * k])
        {
            *sum += g;
        }
        sums[k] += self.stats.hessians.map_or(1.0, |h| h[row]);
        sums[k + 1] += 1.0;
    }

    fn splittable(&self, open: &Open, rows: &[u32]) -> bool {
        let count = open.end - open.start;
        let k = self.stats.k;
        if count < self.params.min_samples_split
            || count < 2 * self.params.min_samples_leaf
            || open.sums[k] < 2.0 * self.params.min_hessian_to_split
            || self.params.max_depth.is_some_and(|max| open.depth >= max)
        {
            return false;
        }
        match self.stats.targets {
            Some(targets) => {
                let first = targets[rows[open.start] as usize];
                rows[open.start..open.end]
                    .iter()
                    .any(|&row| targets[row as usize] != first)
            }
            None => true,
        }
    }

    fn new_histogram(&self, scratch: &mut Scratch) -> Vec<f64> {
        match scratch.free_histograms.pop() {
            Some(mut histogram) => {
                histogram.clear();
                histogram.resize(self.histogram_len, 0.0);
                histogram
            }
            None => vec![0.0; self.histogram_len],
        }
    }

    /// Gathers the node's statistics in row order, so the per-feature loops read them
    /// sequentially.
    fn gather(&self, rows: &[u32], scratch: &mut Scratch) {
        let k = self.stats.k;
        scratch.ordered.clear();
        scratch.ordered_hessians.clear();
        if k == 1 {
            scratch
                .ordered
                .extend(rows.iter().map(|&row| self.stats.gradients[row as usize]));
        } else {
            for &row in rows {
                let row = row as usize;
                scratch
                    .ordered
                    .extend_from_slice(&self.stats.gradients[row * k..row * k + k]);
            }
        }
        match self.stats.hessians {
            Some(hessians) => scratch
                .ordered_hessians
                .extend(rows.iter().map(|&row| hessians[row as usize])),
            None => scratch.ordered_hessians.resize(rows.len(), 1.0),
        }
    }

    fn build_histogram(&self, rows: &[u32], histogram: &mut [f64], scratch: &mut Scratch) {
        self.gather(rows, scratch);
        for feature in 0..self.x.n_features() {
            let start = self.offsets[feature];
            let end = start + (self.x.n_bins(feature) + 1) * self.stride;
            self.accumulate(
                feature,
                rows,
                &scratch.ordered,
                &scratch.ordered_hessians,
                &mut histogram[start..end],
            );
        }
    }

    /// Adds the rows' statistics into one feature's histogram.
    fn accumulate(
        &self,
        feature: usize,
        rows: &[u32],
        ordered: &[f64],
        hessians: &[f64],
        histogram: &mut [f64],
    ) {
        let column = self.x.column(feature);
        let k = self.stats.k;
        let stride = self.stride;
        if k == 1 && self.stats.hessians.is_none() {
            // Every hessian is 1 (squared error): the hessian sum is the count, set once
            // per bin after the loop instead of added per row (the same sums exactly).
            for (&row, &g) in rows.iter().zip(ordered) {
                let at = usize::from(column[row as usize]) * 3;
                let entry = &mut histogram[at..at + 3];
                entry[0] += g;
                entry[2] += 1.0;
            }
            for entry in histogram.chunks_exact_mut(3) {
                entry[1] = entry[2];
            }
        } else if k == 1 {
            for ((&row, &g), &h) in rows.iter().zip(ordered).zip(hessians) {
                let at = usize::from(column[row as usize]) * 3;
                let entry = &mut histogram[at..at + 3];
                entry[0] += g;
                entry[1] += h;
                entry[2] += 1.0;
            }
        } else {
            for (i, (&row, &h)) in rows.iter().zip(hessians).enumerate() {
                let at = usize::from(column[row as usize]) * stride;
                let entry = &mut histogram[at..at + stride];
                for c in 0..k {
                    entry[c] += ordered[i * k + c];
                }
                entry[k] += h;
                entry[k + 1] += 1.0;
            }
        }
    }

    /// Finds the node's best split among its features (all, or a sample for forests).
    fn evaluate(&self, open: &mut Open, rows: &[u32], rng: &mut SplitMix64, scratch: &mut Scratch) {
        let node_rows = &rows[open.start..open.end];
        let n_features = self.x.n_features();
        let count = node_rows.len();
        let dense = count >= SMALL_NODE;
        if dense && self.use_subtraction && open.histogram.is_none() {
            let mut histogram = self.new_histogram(scratch);
            self.build_histogram(node_rows, &mut histogram, scratch);
            open.histogram = Some(histogram);
        } else if open.histogram.is_none() {
            self.gather(node_rows, scratch);
        }
        let mut features = std::mem::take(&mut scratch.features);
        features.clear();
        features.extend(0..n_features);
        let sampling = self.params.max_features < n_features;
        let mut best: Option<Split> = None;
        let mut tried = 0;
        for i in 0..n_features {
            if sampling {
                if tried >= self.params.max_features {
                    break;
                }
                let j = i + rng.below((n_features - i) as u64) as usize;
                features.swap(i, j);
            }
            let feature = features[i];
            // Compact the feature's non-empty bins (ascending) and its missing entry.
            self.compact_feature(feature, open, node_rows, dense, scratch);
            if scratch.compact_bins.len() < 2 {
                // Constant in this node: scikit-learn does not count it towards max_features.
                continue;
            }
            tried += 1;
            let candidate = if self.x.is_categorical(feature) && self.stats.k == 1 {
                self.best_categorical(feature, &open.sums, scratch)
            } else {
                self.best_numeric(feature, &open.sums, scratch)
            };
            if let Some(candidate) = candidate {
                if best.as_ref().is_none_or(|best| candidate.gain > best.gain) {
                    best = Some(candidate);
                }
            }
        }
        scratch.features = features;
        open.split = best;
    }

    /// Fills `scratch.compact_bins` / `scratch.compact` with the feature's non-empty bins in
    /// ascending order (the missing bin, if non-empty, last).
    fn compact_feature(
        &self,
        feature: usize,
        open: &Open,
        node_rows: &[u32],
        dense: bool,
        scratch: &mut Scratch,
    ) {
        let stride = self.stride;
        let n_entries = self.x.n_bins(feature) + 1;
        scratch.compact_bins.clear();
        scratch.compact.clear();
        let push_dense =
            |histogram: &[f64], scratch_bins: &mut Vec<u16>, compact: &mut Vec<f64>| {
                for bin in 0..n_entries {
                    let entry = &histogram[bin * stride..(bin + 1) * stride];
                    if entry[stride - 1] > 0.0 {
                        scratch_bins.push(bin as u16);
                        compact.extend_from_slice(entry);
                    }
                }
            };
        if let Some(histogram) = &open.histogram {
            let start = self.offsets[feature];
            push_dense(
                &histogram[start..start + n_entries * stride],
                &mut scratch.compact_bins,
                &mut scratch.compact,
            );
        } else if dense {
            let mut histogram = std::mem::take(&mut scratch.feature_histogram);
            histogram.clear();
            histogram.resize(n_entries * stride, 0.0);
            self.accumulate(
                feature,
                node_rows,
                &scratch.ordered,
                &scratch.ordered_hessians,
                &mut histogram,
            );
            push_dense(&histogram, &mut scratch.compact_bins, &mut scratch.compact);
            scratch.feature_histogram = histogram;
        } else {
            let column = self.x.column(feature);
            scratch.sort_keys.clear();
            scratch.sort_keys.extend(
                node_rows
                    .iter()
                    .enumerate()
                    .map(|(i, &row)| (u64::from(column[row as usize]) << 32) | i as u64),
            );
            scratch.sort_keys.sort_unstable();
            let k = self.stats.k;
            let mut current = u64::MAX;
            for &key in &scratch.sort_keys {
                let bin = key >> 32;
                let i = (key & 0xFFFF_FFFF) as usize;
                if bin != current {
                    current = bin;
                    scratch.compact_bins.push(bin as u16);
                    scratch.compact.resize(scratch.compact.len() + stride, 0.0);
                }
                let at = scratch.compact.len() - stride;
                let entry = &mut scratch.compact[at..];
                for (e, g) in entry.iter_mut().zip(&scratch.ordered[i * k..(i + 1) * k]) {
                    *e += g;
                }
                entry[k] += scratch.ordered_hessians[i];
                entry[k + 1] += 1.0;
            }
        }
    }

    fn score(&self, sums: &[f64]) -> f64 {
        let k = self.stats.k;
        let denominator = sums[k] + self.params.l2_regularization;
        if denominator <= 0.0 {
            return 0.0;
        }
        sums[..k].iter().map(|g| g * g).sum::<f64>() / denominator
    }

    fn valid(&self, left: &[f64], right: &[f64]) -> bool {
        let k = self.stats.k;
        let min_leaf = self.params.min_samples_leaf as f64;
        left[k + 1] >= min_leaf
            && right[k + 1] >= min_leaf
            && left[k] >= self.params.min_hessian_to_split
            && right[k] >= self.params.min_hessian_to_split
            && left[k] > 0.0
            && right[k] > 0.0
    }

    /// Numeric split: left-to-right with missing values right, then (when the node has
    /// missing values) with them left.
    fn best_numeric(&self, feature: usize, total: &[f64], scratch: &Scratch) -> Option<Split> {
        let stride = self.stride;
        let missing_bin = self.x.n_bins(feature) as u16;
        let bins = &scratch.compact_bins;
        let has_missing = bins.last() == Some(&missing_bin);
        let n_values = bins.len() - usize::from(has_missing);
        let parent_score = self.score(total);
        let tolerance = GAIN_TOLERANCE * parent_score.abs();
        let mut best: Option<Split> = None;
        let mut left = vec![0.0; stride];
        let mut right = vec![0.0; stride];
        for missing_left in [false, true] {
            if missing_left && !has_missing {
                break;
            }
            left.iter_mut().for_each(|v| *v = 0.0);
            if missing_left {
                left.copy_from_slice(&scratch.compact[n_values * stride..(n_values + 1) * stride]);
            }
            // With missing values right, "every value left" is a split too.
            let last = if !missing_left && has_missing {
                n_values
            } else {
                n_values - 1
            };
            for (i, &bin) in bins.iter().enumerate().take(last) {
                for (l, v) in left
                    .iter_mut()
                    .zip(&scratch.compact[i * stride..(i + 1) * stride])
                {
                    *l += v;
                }
                for ((r, t), l) in right.iter_mut().zip(total).zip(&left) {
                    *r = t - l;
                }
                if !self.valid(&left, &right) {
                    continue;
                }
                let gain = self.score(&left) + self.score(&right) - parent_score;
                if gain > tolerance && best.as_ref().is_none_or(|best| gain > best.gain) {
                    best = Some(Split {
                        gain,
                        feature,
                        kind: SplitKind::Numeric { bin: bin as u8 },
                        // Without missing values here, later ones follow the majority
                        // (scikit-learn's choice).
                        missing_left: if has_missing {
                            missing_left
                        } else {
                            left[stride - 1] >= right[stride - 1]
                        },
                        left: left.clone(),
                    });
                }
            }
        }
        best
    }

    /// Categorical split (k = 1): categories with enough rows sorted by their smoothed
    /// gradient ratio `G / (H + 10)`; the best prefix goes left, the rest right.
    fn best_categorical(
        &self,
        feature: usize,
        total: &[f64],
        scratch: &mut Scratch,
    ) -> Option<Split> {
        let stride = self.stride;
        let bins = &scratch.compact_bins;
        let entry = |i: usize| &scratch.compact[i * stride..(i + 1) * stride];
        let mut order = std::mem::take(&mut scratch.order);
        order.clear();
        order.extend((0..bins.len()).filter(|&i| entry(i)[2] >= MIN_CAT_SUPPORT));
        order.sort_by(|&a, &b| {
            let ratio = |i: usize| entry(i)[0] / (entry(i)[1] + MIN_CAT_SUPPORT);
            ratio(a).total_cmp(&ratio(b)).then(a.cmp(&b))
        });
        let parent_score = self.score(total);
        let tolerance = GAIN_TOLERANCE * parent_score.abs();
        let missing_bin = self.x.n_bins(feature) as u16;
        let mut best: Option<(f64, usize, Vec<f64>)> = None;
        let mut left = vec![0.0; stride];
        let mut right = vec![0.0; stride];
        for (prefix, &i) in order.iter().enumerate().take(order.len().saturating_sub(1)) {
            for (l, v) in left.iter_mut().zip(entry(i)) {
                *l += v;
            }
            for ((r, t), l) in right.iter_mut().zip(total).zip(&left) {
                *r = t - l;
            }
            if !self.valid(&left, &right) {
                continue;
            }
            let gain = self.score(&left) + self.score(&right) - parent_score;
            if gain > tolerance && best.as_ref().is_none_or(|best| gain > best.0) {
                best = Some((gain, prefix, left.clone()));
            }
        }
        let split = best.map(|(gain, prefix, left)| {
            let mut set = [0u64; 4];
            let mut missing_left = false;
            for &i in &order[..=prefix] {
                let bin = bins[i];
                if bin == missing_bin {
                    missing_left = true;
                } else {
                    set[usize::from(bin) / 64] |= 1 << (bin % 64);
                }
            }
            Split {
                gain,
                feature,
                kind: SplitKind::Categorical { bins: set },
                missing_left,
                left,
            }
        });
        scratch.order = order;
        split
    }

    /// Moves the rows going left to the front of `rows[start..end]`, keeping their order;
    /// returns where the right rows begin.
    fn partition(
        &self,
        split: &Split,
        rows: &mut [u32],
        start: usize,
        end: usize,
        scratch: &mut Scratch,
    ) -> usize {
        let column = self.x.column(split.feature);
        let missing_bin = self.x.n_bins(split.feature);
        let goes_left = |bin: u8| -> bool {
            if usize::from(bin) == missing_bin {
                split.missing_left
            } else {
                match &split.kind {
                    SplitKind::Numeric { bin: threshold } => bin <= *threshold,
                    SplitKind::Categorical { bins } => in_bitset(bins, usize::from(bin)),
                }
            }
        };
        let right = &mut scratch.partition;
        right.clear();
        let mut write = start;
        for read in start..end {
            let row = rows[read];
            if goes_left(column[row as usize]) {
                rows[write] = row;
                write += 1;
            } else {
                right.push(row);
            }
        }
        rows[write..end].copy_from_slice(right);
        write
    }
}

fn leaf_node(n_samples: usize) -> Node {
    Node {
        feature: LEAF,
        threshold: 0.0,
        bin_threshold: 0,
        missing_left: false,
        left: 0,
        right: 0,
        value_index: 0,
        categories_left: None,
        n_samples: n_samples as u32,
        gain: 0.0,
    }
}
