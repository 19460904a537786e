//! End-to-end tests of the charts `relief report` draws for `sample-data/`: every PNG decodes,
//! has the configured size and a drawn plot area.

use crate::common::*;
use std::path::Path;

#[test]
fn every_chart_is_a_real_png_of_the_configured_size() {
    let wd = Workdir::new();
    std::fs::write(
        wd.join("relief.toml"),
        "[charts]\nwidth = 900\nheight = 600\n",
    )
    .unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let out = wd.relief(&[
        "report",
        src.to_str().unwrap(),
        "--month",
        "2026-08",
        "--out",
        "out",
        "-q",
    ]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", show(&out));
    let dir = wd.join("out/2026-08/charts");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "adjusted.png",
            "before-after.png",
            "body-map.png",
            "course.png",
            "personalisation.png",
            "responders.png",
            "trend.png",
        ]
    );
    for name in names {
        let decoder = png::Decoder::new(std::io::BufReader::new(
            std::fs::File::open(dir.join(&name)).unwrap(),
        ));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (900, 600), "{name}");
        // The middle of the image is not one flat colour: something was drawn.
        let bpp = info.line_size / info.width as usize;
        let row = |y: usize| &buf[y * info.line_size..(y + 1) * info.line_size];
        let mut colours = std::collections::HashSet::new();
        for y in (150..450).step_by(10) {
            for px in row(y).chunks(bpp).skip(100).take(700) {
                colours.insert(px.to_vec());
            }
        }
        assert!(
            colours.len() > 10,
            "{name} looks blank ({} colours)",
            colours.len()
        );
    }
}
