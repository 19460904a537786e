//! Tests of the vocabulary: every built-in spelling of a header, region, side, pressure and
//! minutes value, what `relief.toml` adds, and the therapist-facing sentence of each value it
//! cannot read. Kept beside `vocabulary.rs` so the spellings and their checks are read together.

use super::*;

fn voc() -> Vocabulary {
    Vocabulary::default()
}

#[test]
fn header_normalisation() {
    assert_eq!(normalize_header("Soreness Before (0-10)"), "sorenessbefore");
    assert_eq!(normalize_header("  Session_ID "), "sessionid");
    assert_eq!(normalize_header("Appt. Date"), "apptdate");
    assert_eq!(normalize_header("time-on-area (min)"), "timeonarea");
}

#[test]
fn every_builtin_header_finds_its_field() {
    let v = voc();
    for field in Field::ALL {
        for h in field.builtin_headers() {
            assert_eq!(v.field(h), Some(field), "{h}");
            assert_eq!(v.field(&h.to_uppercase()), Some(field), "{h}");
        }
    }
    assert_eq!(v.field("Pain Before (0-10)"), Some(Field::Before));
    assert_eq!(v.field("Client_ID"), Some(Field::Client));
    assert_eq!(v.field("notes"), None);
}

#[test]
fn config_adds_headers_regions_and_pressure_words() {
    let config = Config::from_toml(
        "[headers]\ndate = ['Termin']\n[regions]\nlower_back = ['sacrum']\n[pressure]\nfirm = ['kräftig']\n",
    )
    .unwrap();
    let v = Vocabulary::new(&config);
    assert_eq!(v.field("TERMIN"), Some(Field::Date));
    assert_eq!(v.region("Sacrum"), Ok((Region::LowerBack, None)));
    assert_eq!(
        v.region("left sacrum"),
        Ok((Region::LowerBack, Some(Side::Left)))
    );
    assert_eq!(v.pressure("Kräftig"), Ok(Pressure::Firm));
}

#[test]
fn every_builtin_region_synonym() {
    let v = voc();
    for region in Region::ALL {
        assert_eq!(v.region(region.key()), Ok((region, None)));
        assert_eq!(v.region(region.label()), Ok((region, None)));
        for s in region.builtin_synonyms() {
            assert_eq!(v.region(s), Ok((region, None)), "{s}");
            assert_eq!(v.region(&s.to_uppercase()), Ok((region, None)), "{s}");
        }
    }
}

#[test]
fn singular_and_plural_alike() {
    let v = voc();
    assert_eq!(v.region("thighs"), Ok((Region::Legs, None)));
    assert_eq!(v.region("glute"), Ok((Region::Hips, None)));
    assert_eq!(v.region("ankles"), Ok((Region::Feet, None)));
    assert_eq!(v.region("wrists"), Ok((Region::Arms, None)));
    assert_eq!(v.region("Lower-Back"), Ok((Region::LowerBack, None)));
}

#[test]
fn sides_in_every_position() {
    let v = voc();
    for (text, region, side) in [
        ("left shoulder", Region::Shoulders, Side::Left),
        ("R hip", Region::Hips, Side::Right),
        ("shoulders (L)", Region::Shoulders, Side::Left),
        ("bilateral calves", Region::Legs, Side::Both),
        ("hamstrings right", Region::Legs, Side::Right),
        ("Lower back (both)", Region::LowerBack, Side::Both),
        ("Rt. knee", Region::Legs, Side::Right),
    ] {
        assert_eq!(v.region(text), Ok((region, Some(side))), "{text}");
    }
}

#[test]
fn unknown_region_names_the_value_and_the_fix() {
    let v = voc();
    let err = v.region("elbow pit").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown region 'elbow pit' — add it under [regions] in relief.toml"
    );
    assert_eq!(
        v.region("shoulder (up)").unwrap_err(),
        ValueError::UnknownRegion("shoulder (up)".into())
    );
    assert_eq!(v.region(" ").unwrap_err().to_string(), "region is blank");
}

#[test]
fn side_column() {
    let v = voc();
    assert_eq!(v.side("L"), Ok(Some(Side::Left)));
    assert_eq!(v.side("right"), Ok(Some(Side::Right)));
    assert_eq!(v.side("B"), Ok(Some(Side::Both)));
    assert_eq!(v.side("both"), Ok(Some(Side::Both)));
    assert_eq!(v.side(""), Ok(None));
    assert_eq!(
        v.side("up").unwrap_err().to_string(),
        "unknown side 'up' — use left, right or both (L, R, B)"
    );
}

#[test]
fn every_pressure_spelling() {
    let v = voc();
    for (text, level) in [
        ("light", Pressure::Light),
        ("Gentle", Pressure::Light),
        ("soft", Pressure::Light),
        ("medium", Pressure::Medium),
        ("Moderate", Pressure::Medium),
        ("firm", Pressure::Firm),
        ("strong", Pressure::Firm),
        ("HARD", Pressure::Firm),
        ("deep", Pressure::Deep),
        ("Deep tissue", Pressure::Deep),
        ("deep-tissue", Pressure::Deep),
        ("1", Pressure::Light),
        ("2", Pressure::Medium),
        ("3", Pressure::Firm),
        ("4", Pressure::Deep),
    ] {
        assert_eq!(v.pressure(text), Ok(level), "{text}");
    }
    assert_eq!(v.pressure_from_number(3.0), Ok(Pressure::Firm));
    assert_eq!(
        v.pressure("crushing").unwrap_err().to_string(),
        "unknown pressure 'crushing' — use light, medium, firm or deep (or 1–4), or add it under [pressure] in relief.toml"
    );
    assert_eq!(
        v.pressure_from_number(5.0).unwrap_err(),
        ValueError::UnknownPressure("5".into())
    );
}

#[test]
fn focus_lists() {
    let v = voc();
    assert_eq!(
        v.focus_list("lower back; neck"),
        Ok(vec![Region::LowerBack, Region::Neck])
    );
    assert_eq!(
        v.focus_list("Neck, Shoulders and left hip"),
        Ok(vec![Region::Neck, Region::Shoulders, Region::Hips])
    );
    assert_eq!(v.focus_list("traps/shoulder"), Ok(vec![Region::Shoulders]));
    assert_eq!(v.focus_list(""), Ok(vec![]));
    assert_eq!(
        v.focus_list("neck; elbow pit").unwrap_err(),
        ValueError::UnknownRegion("elbow pit".into())
    );
}

#[test]
fn wide_columns_in_every_spelling() {
    let v = voc();
    for (header, region, side, kind) in [
        (
            "Lower back before",
            Region::LowerBack,
            None,
            WideKind::Before,
        ),
        ("lower_back_after", Region::LowerBack, None, WideKind::After),
        ("Pre Neck (0-10)", Region::Neck, None, WideKind::Before),
        ("post neck", Region::Neck, None, WideKind::After),
        ("Neck - Post (0-10)", Region::Neck, None, WideKind::After),
        ("Hips minutes", Region::Hips, None, WideKind::Minutes),
        ("shoulders mins", Region::Shoulders, None, WideKind::Minutes),
        (
            "L shoulder before",
            Region::Shoulders,
            Some(Side::Left),
            WideKind::Before,
        ),
    ] {
        let want = WideColumn { region, side, kind };
        assert_eq!(v.wide_column(header), Some(want), "{header}");
    }
    // Long-layout columns and unrelated headers are not wide columns.
    for header in [
        "soreness before",
        "pain after",
        "before",
        "pressure level",
        "elbow before",
    ] {
        assert_eq!(v.wide_column(header), None, "{header}");
    }
}

#[test]
fn minutes_spellings() {
    assert_eq!(minutes_from_text("12"), Ok(Some(12.0)));
    assert_eq!(minutes_from_text("12,5"), Ok(Some(12.5)));
    assert_eq!(minutes_from_text("15 min"), Ok(Some(15.0)));
    assert_eq!(minutes_from_text("15 mins."), Ok(Some(15.0)));
    assert_eq!(minutes_from_text(""), Ok(None));
    assert_eq!(
        minutes_from_text("-5").unwrap_err().to_string(),
        "minutes '-5' is not a number of minutes from 0 up"
    );
    assert_eq!(
        minutes_from_text("lots"),
        Err(ValueError::BadMinutes("lots".into()))
    );
    assert_eq!(minutes_from_number(20.0), Ok(20.0));
    assert!(minutes_from_number(-1.0).is_err());
}
