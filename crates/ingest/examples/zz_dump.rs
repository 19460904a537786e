use calamine::{Reader, Xlsx, open_workbook};
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let sheet = std::env::args().nth(2).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&p).unwrap();
    let mut r = wb.worksheet_cells_reader(&sheet).unwrap();
    while let Some(c) = r.next_cell().unwrap() {
        println!("{:?} {:?}", c.get_position(), c.get_value());
    }
}
