//! Each region's colour, shared by the PNG charts and the workbook's native charts so a reader
//! who learns "lower back is the dark blue" on one finds it again on the other.
//!
//! The colours come from the Okabe–Ito set plus three of Paul Tol's, all distinguishable with
//! the common forms of colour blindness.

use crate::Region;

/// The fixed colour of a region as red, green, blue.
pub fn region_rgb(region: Region) -> [u8; 3] {
    match region {
        Region::Head => [204, 121, 167],    // Okabe–Ito reddish purple
        Region::Neck => [86, 180, 233],     // Okabe–Ito sky blue
        Region::Shoulders => [230, 159, 0], // Okabe–Ito orange
        Region::UpperBack => [0, 158, 115], // Okabe–Ito bluish green
        Region::LowerBack => [0, 114, 178], // Okabe–Ito blue
        Region::Arms => [213, 94, 0],       // Okabe–Ito vermillion
        Region::Hips => [136, 34, 85],      // Tol wine
        Region::Legs => [153, 153, 51],     // Tol olive
        Region::Feet => [51, 34, 136],      // Tol indigo
    }
}

/// The same colour as `0xRRGGBB`, as spreadsheet libraries take it.
pub fn region_hex(region: Region) -> u32 {
    let [r, g, b] = region_rgb(region);
    (u32::from(r) << 16) | (u32::from(g) << 8) | u32::from(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_has_its_own_colour() {
        let mut seen: Vec<u32> = Region::ALL.iter().map(|r| region_hex(*r)).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), Region::ALL.len());
        assert_eq!(region_hex(Region::LowerBack), 0x0072B2);
    }
}
