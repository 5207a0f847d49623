//! A small allocator for the theme-only wasm module (`--no-default-features --features theme`).
//!
//! std's allocator on `wasm32-unknown-unknown` is dlmalloc: about 7 KB of the module's code,
//! more than the theme bridge itself. The theme module allocates little (a message's JSON text
//! and tree, a theme, a few strings), so power-of-two size classes with one free list each are
//! enough: a freed block is reused by the next request of its class, memory comes from
//! `memory.grow` and, as with any wasm allocator, is never given back to the host.
//!
//! Installed only in a wasm build without the auth client (`client` keeps dlmalloc); the size
//! class arithmetic is tested natively below.

// Natively (and with the client) only the tests use it.
#![cfg_attr(
    not(all(target_arch = "wasm32", not(feature = "client"))),
    allow(dead_code)
)]

use core::alloc::{GlobalAlloc, Layout};
use core::cell::{Cell, UnsafeCell};
use core::ptr::null_mut;

/// Smallest block: 16 bytes (class 4), so every block is 16-aligned.
const MIN_CLASS: u32 = 4;
/// Classes 4..32: blocks of 16 bytes to 2 GiB.
const CLASSES: usize = 32;
/// Alignments above this are refused (nothing in the crate asks for them).
const MAX_ALIGN: usize = 1 << MIN_CLASS;
const PAGE: usize = 64 * 1024;

/// The size class of a layout: `log2` of the smallest power of two ≥ its size (at least 16), or
/// `None` for an over-aligned or impossibly large layout.
pub(crate) fn class_of(layout: Layout) -> Option<usize> {
    if layout.align() > MAX_ALIGN {
        return None;
    }
    let class = layout
        .size()
        .max(MAX_ALIGN)
        .checked_next_power_of_two()?
        .trailing_zeros()
        .max(MIN_CLASS) as usize;
    (class < CLASSES).then_some(class)
}

/// Where the next fresh block comes from, in wasm pages.
trait Memory {
    /// Grows by `pages`; the byte address where the new pages start, or `None`.
    fn grow(&self, pages: usize) -> Option<usize>;
}

struct Heap<M> {
    memory: M,
    /// Head of each class's free list (0: empty); a free block stores the next one's address.
    free: UnsafeCell<[usize; CLASSES]>,
    /// Bump region `next..end` of grown, never used memory.
    next: Cell<usize>,
    end: Cell<usize>,
}

impl<M: Memory> Heap<M> {
    const fn new(memory: M) -> Self {
        Heap {
            memory,
            free: UnsafeCell::new([0; CLASSES]),
            next: Cell::new(0),
            end: Cell::new(0),
        }
    }

    /// # Safety
    /// Single-threaded use only; the free lists hold addresses of blocks this heap handed out.
    unsafe fn alloc_class(&self, class: usize) -> *mut u8 {
        // SAFETY: one thread, and no reference into `free` outlives this call.
        let free = unsafe { &mut *self.free.get() };
        let Some(head) = free.get_mut(class) else {
            return null_mut();
        };
        if *head != 0 {
            let block = *head as *mut usize;
            // SAFETY: a free block of this class, 16-aligned, at least 16 bytes: its first word
            // is the next free block.
            *head = unsafe { block.read() };
            return block.cast();
        }
        let size = 1usize << class;
        if self.end.get() - self.next.get() < size {
            let pages = size.div_ceil(PAGE);
            let Some(start) = self.memory.grow(pages) else {
                return null_mut();
            };
            // Contiguous with the current region: extend it; otherwise its rest is abandoned.
            if start != self.end.get() {
                self.next.set(start);
            }
            self.end.set(start + pages * PAGE);
        }
        let block = self.next.get();
        self.next.set(block + size);
        block as *mut u8
    }

    /// # Safety
    /// `ptr` was returned by `alloc_class(class)` and is not used afterwards.
    unsafe fn free_class(&self, ptr: *mut u8, class: usize) {
        // SAFETY: as in `alloc_class`.
        let free = unsafe { &mut *self.free.get() };
        if let Some(head) = free.get_mut(class) {
            // SAFETY: the block is ours, 16-aligned and at least 16 bytes.
            unsafe { ptr.cast::<usize>().write(*head) };
            *head = ptr as usize;
        }
    }
}

unsafe impl<M: Memory> GlobalAlloc for Heap<M> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match class_of(layout) {
            // SAFETY: see `alloc_class` (wasm32 without threads).
            Some(class) => unsafe { self.alloc_class(class) },
            None => null_mut(),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(class) = class_of(layout) {
            // SAFETY: `ptr` came from `alloc` with this layout, hence this class.
            unsafe { self.free_class(ptr, class) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let (Some(old), Ok(new_layout)) = (
            class_of(layout),
            Layout::from_size_align(new_size, layout.align()),
        ) else {
            return null_mut();
        };
        let Some(new) = class_of(new_layout) else {
            return null_mut();
        };
        if new == old {
            return ptr;
        }
        // SAFETY: as in `alloc`/`dealloc`; the blocks do not overlap (both are live).
        unsafe {
            let fresh = self.alloc_class(new);
            if !fresh.is_null() {
                core::ptr::copy_nonoverlapping(ptr, fresh, layout.size().min(new_size));
                self.free_class(ptr, old);
            }
            fresh
        }
    }
}

#[cfg(all(
    target_arch = "wasm32",
    not(target_feature = "atomics"),
    not(feature = "client")
))]
mod wasm {
    use super::{Heap, Memory, PAGE};

    struct Grow;

    impl Memory for Grow {
        fn grow(&self, pages: usize) -> Option<usize> {
            let previous = core::arch::wasm32::memory_grow(0, pages);
            (previous != usize::MAX).then(|| previous * PAGE)
        }
    }

    // SAFETY: wasm32 without the atomics feature has one thread.
    unsafe impl Sync for Heap<Grow> {}

    #[global_allocator]
    static HEAP: Heap<Grow> = Heap::new(Grow);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).expect("layout")
    }

    #[test]
    fn size_classes() {
        assert_eq!(class_of(layout(0, 1)), Some(4));
        assert_eq!(class_of(layout(1, 1)), Some(4));
        assert_eq!(class_of(layout(16, 8)), Some(4));
        assert_eq!(class_of(layout(17, 1)), Some(5));
        assert_eq!(class_of(layout(32, 4)), Some(5));
        assert_eq!(class_of(layout(16 * 1024, 1)), Some(14));
        assert_eq!(class_of(layout(16 * 1024 + 1, 1)), Some(15));
        assert_eq!(class_of(layout(8, 16)), Some(4));
        assert_eq!(class_of(layout(8, 32)), None);
        assert_eq!(class_of(layout(1 << 31, 1)), Some(31));
        assert_eq!(class_of(layout((1 << 31) + 1, 1)), None);
        assert_eq!(class_of(layout(usize::MAX / 2, 1)), None);
    }

    /// Pages from a leaked native buffer, page-aligned like wasm memory.
    struct Arena {
        base: usize,
        pages: usize,
        used: RefCell<usize>,
    }

    impl Arena {
        fn new(pages: usize) -> Self {
            let buffer = vec![0u8; (pages + 1) * PAGE].leak();
            let base = (buffer.as_mut_ptr() as usize).next_multiple_of(PAGE);
            Arena {
                base,
                pages,
                used: RefCell::new(0),
            }
        }
    }

    impl Memory for &Arena {
        fn grow(&self, pages: usize) -> Option<usize> {
            let mut used = self.used.borrow_mut();
            if *used + pages > self.pages {
                return None;
            }
            let start = self.base + *used * PAGE;
            *used += pages;
            Some(start)
        }
    }

    #[test]
    fn blocks_are_aligned_distinct_reused_and_bounded() {
        let arena = Arena::new(8);
        let heap = Heap::new(&arena);
        unsafe {
            let a = heap.alloc(layout(10, 8));
            let b = heap.alloc(layout(10, 8));
            let c = heap.alloc(layout(100, 4));
            for p in [a, b, c] {
                assert!(!p.is_null());
                assert_eq!(p as usize % 16, 0);
                assert!(p as usize >= arena.base && (p as usize) < arena.base + 8 * PAGE);
            }
            assert_eq!(b as usize - a as usize, 16);
            assert_ne!(c, a);
            // Writes stay inside their block.
            a.write_bytes(0xAA, 10);
            b.write_bytes(0xBB, 10);
            assert_eq!(a.read(), 0xAA);
            // A freed block is the next one of its class; other classes are not affected.
            heap.dealloc(a, layout(10, 8));
            assert_eq!(heap.alloc(layout(16, 1)), a);
            assert_ne!(heap.alloc(layout(40, 1)), a);
            // Realloc within the class keeps the block; across classes it copies.
            assert_eq!(heap.realloc(c, layout(100, 4), 128), c);
            c.write_bytes(7, 128);
            let d = heap.realloc(c, layout(128, 4), 129);
            assert_ne!(d, c);
            assert_eq!(d.add(127).read(), 7);
            assert_eq!(heap.alloc(layout(65, 1)), c);
            // A block larger than a page takes whole pages; when memory runs out: null.
            let big = heap.alloc(layout(3 * PAGE, 1));
            assert!(!big.is_null());
            assert!(heap.alloc(layout(4 * PAGE, 1)).is_null());
            assert!(heap.alloc(layout(8, 64)).is_null());
        }
    }

    #[test]
    fn many_strings_round_trip() {
        let arena = Arena::new(64);
        let heap = Heap::new(&arena);
        let mut live = Vec::new();
        for round in 0..2000usize {
            let size = 1 + (round * 7919) % 3000;
            let l = layout(size, 1);
            let p = unsafe { heap.alloc(l) };
            assert!(!p.is_null(), "round {round}");
            unsafe { p.write_bytes((round % 251) as u8, size) };
            live.push((p, l, (round % 251) as u8));
            if round % 3 == 0 {
                let (p, l, v) = live.remove(round % live.len());
                unsafe {
                    assert_eq!(p.read(), v);
                    assert_eq!(p.add(l.size() - 1).read(), v);
                    heap.dealloc(p, l);
                }
            }
        }
        for (p, l, v) in live {
            unsafe {
                assert_eq!(p.read(), v, "block overwritten");
                assert_eq!(p.add(l.size() - 1).read(), v, "block overwritten");
                heap.dealloc(p, l);
            }
        }
    }
}
