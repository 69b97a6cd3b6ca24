//! A header claiming 10^9 rows is refused before anything of that size is allocated: a counting
//! allocator records the largest single allocation made while the file is read.
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use mm3gw::fax::tiff_read::{TiffReadError, read};
use mm3gw::fax::tiff_write::{WriteOptions, to_vec};
use mm3gw::fax::{Limits, Page, Resolution};

struct Counting;
static LARGEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static A: Counting = Counting;

#[test]
fn billion_row_header_allocates_nothing_big() {
    let mut page = Page::from_rows(1728, 8, vec![0; 216 * 8]).unwrap();
    page.resolution = Some(Resolution::FINE);
    let mut bytes = to_vec(&[page], &WriteOptions::default()).unwrap();
    // ImageLength (257) and RowsPerStrip (278) claim 10^9 rows.
    let n = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    for k in 0..n {
        let at = 10 + 12 * k;
        let tag = u16::from_le_bytes([bytes[at], bytes[at + 1]]);
        if tag == 257 || tag == 278 {
            bytes[at + 8..at + 12].copy_from_slice(&1_000_000_000u32.to_le_bytes());
        }
    }
    let limits = Limits::default();
    LARGEST.store(0, Ordering::Relaxed);
    let result = read(&bytes, &limits);
    let largest = LARGEST.load(Ordering::Relaxed);
    assert!(matches!(result, Err(TiffReadError::Page { .. })), "{result:?}");
    assert!(largest < 64 * 1024, "largest allocation while refusing: {largest} bytes");
    // The counter does see page buffers: a real 1728x2000 page allocates its 432 000 bytes.
    let mut page = Page::from_rows(1728, 2000, vec![0; 216 * 2000]).unwrap();
    page.resolution = Some(Resolution::FINE);
    let ok = to_vec(&[page], &WriteOptions::default()).unwrap();
    LARGEST.store(0, Ordering::Relaxed);
    assert!(read(&ok, &limits).is_ok());
    assert!(LARGEST.load(Ordering::Relaxed) >= 216 * 2000);
}
