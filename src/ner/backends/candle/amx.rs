//! Intel AMX tiles for the 8-bit products (x86-64; used where Linux grants
//! them).
//!
//! AMX (Sapphire Rapids and later) adds eight tile registers of up to
//! 16 rows × 64 bytes and `tdpbusd`, which multiplies a tile of unsigned
//! bytes (16 rows × 64) by a tile of signed bytes (16 quads × 16 columns ×
//! 4, the layout of a packed weight panel) into a tile of 16 × 16 i32
//! sums: 16,384 multiply-adds in one instruction, against 64 for
//! AVX-512 VNNI's `vpdpbusd`.
//!
//! Linux keeps the tile state off for a process until the process asks for
//! it (`arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA)`); a tile
//! instruction before that kills the process with SIGILL. [`ready`] asks
//! once per process, and the AMX path is offered only where Linux said yes.
//!
//! The instructions are written with `asm!`: Rust's AMX intrinsics and its
//! `amx-*` target features are unstable (Rust 1.95), and the x86 assembler
//! takes the instructions regardless of target features. The compiler does
//! not know the tile state, and no code it generates touches it: [`Tiles`]
//! loads the tile configuration, [`Tiles::product`] runs whole products
//! from zeroed sums to stored sums in one `asm!` block each, and dropping
//! [`Tiles`] releases the state on the thread that configured it (it is
//! neither `Send` nor `Sync`).

use std::arch::asm;
use std::marker::PhantomData;
use std::sync::OnceLock;

/// Bytes of a tile row: 16 quads of a weight panel, 64 activation bytes.
const ROW_BYTES: usize = 64;
/// Rows of a tile.
const ROWS: usize = 16;

/// Whether this process may use AMX int8 tiles: the CPU has AMX-TILE and
/// AMX-INT8 (CPUID leaf 7) and Linux granted the tile data state. Asked
/// once per process; the grant holds for every thread of the process.
pub(super) fn ready() -> bool {
    static READY: OnceLock<bool> = OnceLock::new();
    *READY.get_or_init(|| {
        #[cfg(target_os = "linux")]
        {
            use std::arch::x86_64::{__cpuid, __cpuid_count};
            // `__cpuid` is safe from Rust 1.94 on, unsafe before (MSRV 1.89).
            #[allow(unused_unsafe)]
            // SAFETY: CPUID exists on every x86-64 CPU; leaf 7 is read only
            // where leaf 0 says it exists.
            let edx = unsafe {
                if __cpuid(0).eax < 7 {
                    return false;
                }
                __cpuid_count(7, 0).edx
            };
            let (tile, int8) = ((edx >> 24) & 1 == 1, (edx >> 25) & 1 == 1);
            if !(tile && int8) {
                return false;
            }
            const ARCH_REQ_XCOMP_PERM: libc::c_long = 0x1023;
            const XFEATURE_XTILEDATA: libc::c_long = 18;
            // SAFETY: a system call with two integer arguments; it changes
            // only this process's permission to use the tile state.
            let granted = unsafe {
                libc::syscall(
                    libc::SYS_arch_prctl,
                    ARCH_REQ_XCOMP_PERM,
                    XFEATURE_XTILEDATA,
                )
            };
            granted == 0
        }
        #[cfg(not(target_os = "linux"))]
        {
            false
        }
    })
}

/// The tile configuration of this thread, loaded by [`Tiles::configure`]
/// and released on drop: tiles 0–3 hold 16 × 16 i32 sums, 4–5 activation
/// rows, 6–7 weight panels, every tile 16 rows × 64 bytes.
pub(super) struct Tiles(PhantomData<*const ()>);

/// The 64-byte operand of `ldtilecfg`.
#[repr(C, align(64))]
struct Config([u8; 64]);

impl Tiles {
    /// Loads the configuration on this thread, or `None` where [`ready`]
    /// is false (the caller then takes another kernel).
    pub(super) fn configure() -> Option<Tiles> {
        if !ready() {
            return None;
        }
        // Palette 1; bytes 16.. hold each tile's bytes per row (u16), bytes
        // 48.. its rows.
        let mut config = Config([0; 64]);
        config.0[0] = 1;
        for t in 0..8 {
            config.0[16 + 2 * t..][..2].copy_from_slice(&(ROW_BYTES as u16).to_le_bytes());
            config.0[48 + t] = ROWS as u8;
        }
        // SAFETY: this process may use the tiles (`ready`), and the
        // configuration is valid for palette 1 (8 tiles of ≤ 16 × 64).
        unsafe { asm!("ldtilecfg [{}]", in(reg) config.0.as_ptr(), options(nostack, readonly)) };
        Some(Tiles(PhantomData))
    }

    /// The 32 × 32 sums `c[r][16p + j] = Σ_i a[r][i] · b_p[i][j]` of two
    /// tiles of activation rows and two weight panels: `a` holds 32 rows of
    /// `stride` bytes (a multiple of 64: `stride / 64` steps of the product
    /// over the inputs), each `b_p` `stride / 4` quads × 16 columns × 4
    /// bytes; `c` gets 32 rows of 32 sums, `width` i32 apart.
    pub(super) fn product(
        &self,
        a: &[u8],
        stride: usize,
        b: [&[i8]; 2],
        c: &mut [i32],
        width: usize,
    ) {
        let steps = stride / ROW_BYTES;
        assert!(
            steps > 0 && stride.is_multiple_of(ROW_BYTES),
            "stride {stride}"
        );
        assert!(a.len() >= 2 * ROWS * stride);
        assert!(b.iter().all(|b| b.len() >= steps * ROWS * ROW_BYTES));
        assert!(width >= 2 * ROWS && c.len() >= (2 * ROWS - 1) * width + 2 * ROWS);
        let a1 = a[ROWS * stride..].as_ptr();
        // SAFETY: the tiles are configured on this thread (`self`, not
        // Send). Reads: two tiles of 16 rows × 64 bytes at `stride` from
        // `a` and `a1` per step, one tile of 16 × 64 contiguous bytes from
        // each panel per step, `steps` steps — within the lengths asserted
        // above. Writes: four tiles of 16 rows × 64 bytes at `width · 4`
        // bytes from `c`, `c + 64`, `c + 16 rows`, `c + 16 rows + 64` —
        // within `c`. Registers: every one written is an operand.
        unsafe {
            asm!(
                "tilezero tmm0",
                "tilezero tmm1",
                "tilezero tmm2",
                "tilezero tmm3",
                "2:",
                "tileloadd tmm4, [{a0} + {sa}*1]",
                "tileloadd tmm6, [{b0} + {sb}*1]",
                "tileloadd tmm7, [{b1} + {sb}*1]",
                "tdpbusd tmm0, tmm4, tmm6",
                "tdpbusd tmm1, tmm4, tmm7",
                "tileloadd tmm5, [{a1} + {sa}*1]",
                "tdpbusd tmm2, tmm5, tmm6",
                "tdpbusd tmm3, tmm5, tmm7",
                "add {a0}, 64",
                "add {a1}, 64",
                "add {b0}, 1024",
                "add {b1}, 1024",
                "dec {n}",
                "jnz 2b",
                "tilestored [{c} + {sc}*1], tmm0",
                "lea {a0}, [{c} + 64]",
                "tilestored [{a0} + {sc}*1], tmm1",
                "mov {a1}, {sc}",
                "shl {a1}, 4",
                "add {a1}, {c}",
                "tilestored [{a1} + {sc}*1], tmm2",
                "add {a1}, 64",
                "tilestored [{a1} + {sc}*1], tmm3",
                a0 = inout(reg) a.as_ptr() => _,
                a1 = inout(reg) a1 => _,
                b0 = inout(reg) b[0].as_ptr() => _,
                b1 = inout(reg) b[1].as_ptr() => _,
                n = inout(reg) steps => _,
                sa = in(reg) stride,
                sb = in(reg) ROW_BYTES,
                c = in(reg) c.as_mut_ptr(),
                sc = in(reg) width * 4,
                options(nostack),
            );
        }
    }
}

impl Drop for Tiles {
    fn drop(&mut self) {
        // SAFETY: the tiles were configured on this thread (`Tiles` is not
        // Send); releasing returns them to their initial state.
        unsafe { asm!("tilerelease", options(nostack, nomem)) };
    }
}
