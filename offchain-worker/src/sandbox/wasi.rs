//! A deterministic WASI (preview 1) for the code sandbox: the host side of every import of
//! CPython for WASI, written here rather than taken from `wasmtime-wasi` so that nothing of the
//! evaluator's machine can reach the program.
//!
//! - arguments: `python -I -S -c <harness>`; no environment variables;
//! - stdin (fd 0): the job, as bytes; stdout (fd 1): the harness's protocol lines, read by
//!   [`Ctx::on_line`]; stderr (fd 2): kept to its last 4 KiB for diagnostics;
//! - no other descriptor, no pre-opened directory: every `path_*` call and every other `fd_*`
//!   call fails with `EBADF` (the standard library is packed inside the module by wasi-vfs and
//!   never asks the host);
//! - the clocks always read zero; `random_get` gives the same bytes in every run (a fixed
//!   splitmix64 stream), so hash seeds and `random` are the same on every evaluator;
//! - sockets and `poll_oneoff` are not supported (`ENOSYS`); `proc_exit` ends the run.

use super::Ctx;
use wasmtime::{Caller, Extern, ExternType, Linker, Memory, Module, Val};

/// WASI error numbers used here.
pub const ESUCCESS: i32 = 0;
/// Bad file descriptor.
pub const EBADF: i32 = 8;
/// Invalid argument (a pointer outside memory).
pub const EINVAL: i32 = 28;
/// Not supported.
pub const ENOSYS: i32 = 52;
/// Illegal seek.
pub const ESPIPE: i32 = 70;

/// `proc_exit` was called: the run ended with this status.
#[derive(Debug)]
pub struct Exit(pub i32);

impl std::fmt::Display for Exit {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "exit status {}", self.0)
	}
}

impl std::error::Error for Exit {}

const MODULE: &str = "wasi_snapshot_preview1";

/// The imports given a behaviour of their own by [`define`]; the others fail.
const IMPLEMENTED: &[&str] = &[
	"args_sizes_get", "args_get", "environ_sizes_get", "environ_get", "clock_res_get", "clock_time_get",
	"random_get", "fd_write", "fd_read", "fd_fdstat_get", "fd_filestat_get", "fd_seek", "fd_tell",
	"fd_close", "sched_yield", "proc_exit",
];

fn memory(caller: &mut Caller<'_, Ctx>) -> Option<Memory> {
	match caller.get_export("memory") {
		Some(Extern::Memory(m)) => Some(m),
		_ => None,
	}
}

fn write_bytes(caller: &mut Caller<'_, Ctx>, ptr: i32, bytes: &[u8]) -> i32 {
	let Some(mem) = memory(caller) else { return EINVAL };
	match mem.write(caller, ptr as u32 as usize, bytes) {
		Ok(()) => ESUCCESS,
		Err(_) => EINVAL,
	}
}

fn read_u32(mem: &[u8], at: usize) -> Option<u32> {
	mem.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// The `(pointer, length)` pairs of an iovec array.
fn iovecs(mem: &[u8], iovs: i32, len: i32) -> Option<Vec<(usize, usize)>> {
	let (iovs, len) = (iovs as u32 as usize, len as u32 as usize);
	if len > 1024 {
		return None;
	}
	(0..len)
		.map(|i| Some((read_u32(mem, iovs + 8 * i)? as usize, read_u32(mem, iovs + 8 * i + 4)? as usize)))
		.collect()
}

/// `ESPIPE` for the three standard descriptors (they cannot seek), `EBADF` for any other.
fn no_seek(fd: i32) -> i32 {
	if (0..=2).contains(&fd) {
		ESPIPE
	} else {
		EBADF
	}
}

/// Defines every `wasi_snapshot_preview1` import of `module` in `linker`.
pub fn define(linker: &mut Linker<Ctx>, module: &Module) -> wasmtime::Result<()> {
	define_args_and_environment(linker)?;
	define_clock_and_random(linker)?;
	define_stdio(linker)?;
	define_descriptors_and_process(linker)?;
	define_unsupported(linker, module)
}

/// `args_*` (the harness's arguments) and `environ_*` (an empty environment).
fn define_args_and_environment(linker: &mut Linker<Ctx>) -> wasmtime::Result<()> {
	linker.func_wrap(MODULE, "args_sizes_get", |mut c: Caller<'_, Ctx>, argc: i32, size: i32| {
		let args = c.data().args.clone();
		let total: usize = args.iter().map(|a| a.len() + 1).sum();
		let r = write_bytes(&mut c, argc, &(args.len() as u32).to_le_bytes());
		if r != ESUCCESS {
			return r;
		}
		write_bytes(&mut c, size, &(total as u32).to_le_bytes())
	})?;
	linker.func_wrap(MODULE, "args_get", |mut c: Caller<'_, Ctx>, argv: i32, buf: i32| {
		let args = c.data().args.clone();
		let mut at = buf as u32;
		for (i, a) in args.iter().enumerate() {
			let r = write_bytes(&mut c, argv + 4 * i as i32, &at.to_le_bytes());
			if r != ESUCCESS {
				return r;
			}
			let mut s = a.as_bytes().to_vec();
			s.push(0);
			let r = write_bytes(&mut c, at as i32, &s);
			if r != ESUCCESS {
				return r;
			}
			at += s.len() as u32;
		}
		ESUCCESS
	})?;
	linker.func_wrap(MODULE, "environ_sizes_get", |mut c: Caller<'_, Ctx>, count: i32, size: i32| {
		let r = write_bytes(&mut c, count, &0u32.to_le_bytes());
		if r != ESUCCESS {
			return r;
		}
		write_bytes(&mut c, size, &0u32.to_le_bytes())
	})?;
	linker.func_wrap(MODULE, "environ_get", |_: Caller<'_, Ctx>, _: i32, _: i32| ESUCCESS)?;
	Ok(())
}

/// A clock stopped at zero and the seeded random stream: the same on every evaluator.
fn define_clock_and_random(linker: &mut Linker<Ctx>) -> wasmtime::Result<()> {
	linker.func_wrap(MODULE, "clock_res_get", |mut c: Caller<'_, Ctx>, _id: i32, res: i32| {
		write_bytes(&mut c, res, &1u64.to_le_bytes())
	})?;
	linker.func_wrap(MODULE, "clock_time_get", |mut c: Caller<'_, Ctx>, _id: i32, _precision: i64, time: i32| {
		write_bytes(&mut c, time, &0u64.to_le_bytes())
	})?;
	linker.func_wrap(MODULE, "random_get", |mut c: Caller<'_, Ctx>, buf: i32, len: i32| {
		let len = len as u32 as usize;
		if len > 1 << 20 {
			return EINVAL;
		}
		let bytes = c.data_mut().random_bytes(len);
		write_bytes(&mut c, buf, &bytes)
	})?;
	Ok(())
}

/// `fd_write` to stdout (the harness's protocol) and stderr (kept as a tail), `fd_read` from
/// stdin.
fn define_stdio(linker: &mut Linker<Ctx>) -> wasmtime::Result<()> {
	linker.func_wrap(MODULE, "fd_write", |mut c: Caller<'_, Ctx>, fd: i32, iovs: i32, iovs_len: i32, written: i32| {
		if !(1..=2).contains(&fd) {
			return EBADF;
		}
		let Some(mem) = memory(&mut c) else { return EINVAL };
		let data = mem.data(&c);
		let Some(iov) = iovecs(data, iovs, iovs_len) else { return EINVAL };
		let mut bytes = Vec::new();
		for (ptr, len) in iov {
			match data.get(ptr..ptr.saturating_add(len)) {
				Some(b) => bytes.extend_from_slice(b),
				None => return EINVAL,
			}
		}
		let n = bytes.len() as u32;
		if fd == 1 {
			for b in bytes {
				if let Err(e) = super::stdout_byte(&mut c, b) {
					// Only a broken protocol ends up here (the harness wrote nonsense).
					c.data_mut().protocol_error.get_or_insert(e);
				}
			}
		} else {
			c.data_mut().stderr_tail(&bytes);
		}
		write_bytes(&mut c, written, &n.to_le_bytes())
	})?;
	linker.func_wrap(MODULE, "fd_read", |mut c: Caller<'_, Ctx>, fd: i32, iovs: i32, iovs_len: i32, read: i32| {
		if fd != 0 {
			return EBADF;
		}
		let Some(mem) = memory(&mut c) else { return EINVAL };
		let Some(iov) = iovecs(mem.data(&c), iovs, iovs_len) else { return EINVAL };
		let mut total = 0u32;
		for (ptr, len) in iov {
			let chunk = c.data_mut().stdin_take(len);
			if chunk.is_empty() {
				break;
			}
			let r = write_bytes(&mut c, ptr as i32, &chunk);
			if r != ESUCCESS {
				return r;
			}
			total += chunk.len() as u32;
		}
		write_bytes(&mut c, read, &total.to_le_bytes())
	})?;
	Ok(())
}

/// The three standard descriptors' stat, seek, tell and close, `sched_yield` and `proc_exit`.
fn define_descriptors_and_process(linker: &mut Linker<Ctx>) -> wasmtime::Result<()> {
	linker.func_wrap(MODULE, "fd_fdstat_get", |mut c: Caller<'_, Ctx>, fd: i32, stat: i32| {
		if !(0..=2).contains(&fd) {
			return EBADF;
		}
		// filetype (u8: 2 = character device), flags (u16), rights base and inheriting (u64).
		let mut b = [0u8; 24];
		b[0] = 2;
		b[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
		write_bytes(&mut c, stat, &b)
	})?;
	linker.func_wrap(MODULE, "fd_filestat_get", |mut c: Caller<'_, Ctx>, fd: i32, stat: i32| {
		if !(0..=2).contains(&fd) {
			return EBADF;
		}
		// dev, ino (u64), filetype (u8, padded to 8), nlink, size, atim, mtim, ctim (u64).
		let mut b = [0u8; 64];
		b[16] = 2;
		write_bytes(&mut c, stat, &b)
	})?;
	linker.func_wrap(MODULE, "fd_seek", |_: Caller<'_, Ctx>, fd: i32, _off: i64, _whence: i32, _out: i32| no_seek(fd))?;
	linker.func_wrap(MODULE, "fd_tell", |_: Caller<'_, Ctx>, fd: i32, _out: i32| no_seek(fd))?;
	linker.func_wrap(MODULE, "fd_close", |_: Caller<'_, Ctx>, fd: i32| if (0..=2).contains(&fd) { ESUCCESS } else { EBADF })?;
	linker.func_wrap(MODULE, "sched_yield", |_: Caller<'_, Ctx>| ESUCCESS)?;
	linker.func_wrap(MODULE, "proc_exit", |_: Caller<'_, Ctx>, code: i32| -> wasmtime::Result<()> {
		Err(wasmtime::Error::new(Exit(code)))
	})?;
	Ok(())
}

/// Everything else the module imports: no descriptor exists (EBADF), or not supported (ENOSYS).
fn define_unsupported(linker: &mut Linker<Ctx>, module: &Module) -> wasmtime::Result<()> {
	for import in module.imports() {
		if import.module() != MODULE || IMPLEMENTED.contains(&import.name()) {
			continue;
		}
		let ExternType::Func(ty) = import.ty() else { continue };
		let name = import.name();
		let errno = if name.starts_with("fd_") || name.starts_with("path_") { EBADF } else { ENOSYS };
		linker.func_new(MODULE, name, ty, move |_, _, results| {
			if let Some(r) = results.first_mut() {
				*r = Val::I32(errno);
			}
			Ok(())
		})?;
	}
	Ok(())
}
