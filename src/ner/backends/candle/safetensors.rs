//! Reading a safetensors stream tensor by tensor.
//!
//! Why: reading the whole file into memory and converting from there held
//! the file (f16: half the f32 model) and the converted model at once — the
//! peak resident set of loading the teacher in f32 was 421 MiB for a
//! 265 MiB model. Here the stored tensors are read one by one, and the
//! model's loader takes each out ([`Taken`]) as it converts it, so the
//! stored and the converted weights shrink and grow together. The stream
//! is read once, in order, to the end of its last tensor, so the caller can
//! hash exactly the bytes the model was built from.

use candle_core::{DType, Device, Tensor};
use std::collections::HashMap;
use std::io::Read;

/// Largest header accepted (the format's own limit is 100 MB).
const MAX_HEADER: u64 = 100_000_000;

#[derive(serde::Deserialize)]
struct Entry {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: [usize; 2],
}

/// Every tensor of the stream by name, in the type it is stored in (f16
/// weights are converted to f32 by [`Taken`], one at a time as the model
/// takes them). Errors say what is wrong with the stream, for the caller to
/// prefix with the file's name.
pub(super) fn read_tensors(
    r: &mut dyn Read,
    device: &Device,
) -> Result<HashMap<String, Tensor>, String> {
    let mut len = [0u8; 8];
    r.read_exact(&mut len)
        .map_err(|e| format!("cannot read the header's length ({e})"))?;
    let len = u64::from_le_bytes(len);
    if len > MAX_HEADER {
        return Err(format!("a header of {len} bytes (at most {MAX_HEADER})"));
    }
    let mut header = vec![0u8; len as usize];
    r.read_exact(&mut header)
        .map_err(|e| format!("the header is cut short ({e})"))?;
    let mut header: HashMap<String, serde_json::Value> = serde_json::from_slice(&header)
        .map_err(|e| format!("the header is not a JSON object ({e})"))?;
    header.remove("__metadata__");
    let mut entries = header
        .into_iter()
        .map(|(name, v)| {
            serde_json::from_value::<Entry>(v)
                .map(|e| (name.clone(), e))
                .map_err(|e| format!("tensor `{name}` is described wrongly ({e})"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    entries.sort_by_key(|(_, e)| e.data_offsets);
    let mut tensors = HashMap::with_capacity(entries.len());
    let mut at = 0usize;
    for (name, e) in entries {
        let [start, end] = e.data_offsets;
        if start != at || end < start {
            return Err(format!(
                "tensor `{name}` lies at bytes {start}..{end} where {at} was expected \
                 (the data must be contiguous)"
            ));
        }
        let dtype = match e.dtype.as_str() {
            "F32" => DType::F32,
            "F16" => DType::F16,
            "BF16" => DType::BF16,
            "F64" => DType::F64,
            "U8" => DType::U8,
            "U32" => DType::U32,
            "I64" => DType::I64,
            // A type candle cannot hold (bool, i8, i16, …): skipped, so it
            // only matters if the model asks for that tensor (then "cannot
            // find tensor" names it).
            _ => {
                let skipped =
                    std::io::copy(&mut r.take((end - start) as u64), &mut std::io::sink())
                        .map_err(|err| format!("cannot read tensor `{name}` ({err})"))?;
                if skipped != (end - start) as u64 {
                    return Err(format!("the file ends inside tensor `{name}`"));
                }
                at = end;
                continue;
            }
        };
        let want = e
            .shape
            .iter()
            .try_fold(dtype.size_in_bytes(), |n, &d| n.checked_mul(d));
        if want != Some(end - start) {
            return Err(format!(
                "tensor `{name}` of shape {:?} and type {} does not take {} bytes",
                e.shape,
                e.dtype,
                end - start
            ));
        }
        // Exactly one buffer of the stored bytes, then the tensor's own
        // storage made from it (no growth by doubling, no second copy):
        // under `keep_freed_memory` every transient block stays resident.
        // The header's sizes are not trusted with memory: the buffer is
        // reserved fallibly (a size no allocator gives is an error, not an
        // abort) and filled only as far as the stream really goes.
        let len = end - start;
        let mut bytes = Vec::new();
        bytes
            .try_reserve_exact(len)
            .map_err(|_| format!("tensor `{name}` claims {len} bytes, more than can be held"))?;
        r.take(len as u64)
            .read_to_end(&mut bytes)
            .map_err(|err| format!("cannot read tensor `{name}` ({err})"))?;
        if bytes.len() != len {
            return Err(format!(
                "the file ends inside tensor `{name}` ({} of {len} bytes)",
                bytes.len()
            ));
        }
        let tensor = match dtype {
            DType::F32 => Tensor::from_vec(words(&bytes, f32::from_le_bytes), &e.shape[..], device),
            DType::U8 => Tensor::from_vec(bytes, &e.shape[..], device),
            _ => Tensor::from_raw_buffer(&bytes, dtype, &e.shape, device),
        }
        .map_err(|e| format!("tensor `{name}`: {e}"))?;
        tensors.insert(name, tensor);
        at = end;
    }
    Ok(tensors)
}

/// Tensors handed to the model's loader each at most once: [`get`] takes
/// the tensor out, so that when the loader keeps a copy (a transposed f32
/// weight, a quantized one) the stored one is freed at once rather than at
/// the end of loading. [`get_unchecked`] (shape checks) leaves it in.
///
/// [`get`]: candle_nn::var_builder::SimpleBackend::get
/// [`get_unchecked`]: candle_nn::var_builder::SimpleBackend::get_unchecked
pub(super) struct Taken(std::sync::Mutex<HashMap<String, Tensor>>);

impl Taken {
    pub(super) fn new(tensors: HashMap<String, Tensor>) -> Self {
        Taken(std::sync::Mutex::new(tensors))
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Tensor>) -> T) -> T {
        // A poisoned lock only means another loader panicked; the map is
        // still whole.
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl candle_nn::var_builder::SimpleBackend for Taken {
    fn get(
        &self,
        shape: candle_core::Shape,
        name: &str,
        _: candle_nn::Init,
        dtype: DType,
        device: &Device,
    ) -> candle_core::Result<Tensor> {
        let tensor = self.with(|map| match map.get(name) {
            Some(t) if t.shape() == &shape => Ok(map.remove(name)),
            Some(t) => Err(candle_core::Error::UnexpectedShape {
                msg: format!("shape mismatch for {name}"),
                expected: shape,
                got: t.shape().clone(),
            }),
            None => Ok(None),
        })?;
        let tensor = tensor.ok_or_else(|| candle_core::Error::CannotFindTensor {
            path: name.to_string(),
        })?;
        tensor.to_device(device)?.to_dtype(dtype)
    }

    fn get_unchecked(
        &self,
        name: &str,
        dtype: DType,
        device: &Device,
    ) -> candle_core::Result<Tensor> {
        let tensor = self.with(|map| map.get(name).cloned());
        let tensor = tensor.ok_or_else(|| candle_core::Error::CannotFindTensor {
            path: name.to_string(),
        })?;
        tensor.to_device(device)?.to_dtype(dtype)
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.with(|map| map.contains_key(name))
    }
}

/// The little-endian values of `bytes`, `N` bytes each, converted by `f`.
fn words<const N: usize>(bytes: &[u8], f: impl Fn([u8; N]) -> f32) -> Vec<f32> {
    bytes
        .chunks_exact(N)
        .filter_map(|c| <[u8; N]>::try_from(c).ok())
        .map(f)
        .collect()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A safetensors file of `tensors` (name, dtype, shape, bytes).
    pub(in crate::ner::backends::candle) fn file(
        tensors: &[(&str, &str, &[usize], Vec<u8>)],
    ) -> Vec<u8> {
        let mut header = serde_json::Map::new();
        let mut data = Vec::new();
        for (name, dtype, shape, bytes) in tensors {
            let start = data.len();
            data.extend_from_slice(bytes);
            header.insert(
                name.to_string(),
                serde_json::json!({"dtype": dtype, "shape": shape, "data_offsets": [start, data.len()]}),
            );
        }
        let header = serde_json::to_vec(&header).unwrap();
        let mut out = (header.len() as u64).to_le_bytes().to_vec();
        out.extend_from_slice(&header);
        out.extend_from_slice(&data);
        out
    }

    /// 1.0, -2.0, 0.5 and 4.0 as IEEE half floats.
    fn f16_bytes() -> Vec<u8> {
        [0x3C00u16, 0xC000, 0x3800, 0x4400]
            .iter()
            .flat_map(|h| h.to_le_bytes())
            .collect()
    }

    #[test]
    fn reads_every_tensor_as_stored() {
        let bytes = file(&[
            ("a", "F16", &[2, 2], f16_bytes()),
            ("b", "U8", &[3], vec![1, 2, 255]),
            ("c", "F32", &[1], 7.5f32.to_le_bytes().to_vec()),
        ]);
        let mut r = bytes.as_slice();
        let t = read_tensors(&mut r, &Device::Cpu).unwrap();
        assert!(r.is_empty(), "the whole stream is read");
        let a = t["a"].to_dtype(DType::F32).unwrap();
        assert_eq!(
            a.to_vec2::<f32>().unwrap(),
            vec![vec![1.0, -2.0], vec![0.5, 4.0]]
        );
        assert_eq!(t["b"].to_vec1::<u8>().unwrap(), vec![1, 2, 255]);
        assert_eq!(t["c"].to_vec1::<f32>().unwrap(), vec![7.5]);
    }

    #[test]
    fn broken_streams_are_errors() {
        let good = file(&[("a", "F32", &[2], vec![0; 8])]);
        for cut in [0, 4, 8, 20, good.len() - 1] {
            let err = read_tensors(&mut &good[..cut], &Device::Cpu).unwrap_err();
            assert!(!err.is_empty(), "{cut}");
        }
        let mut huge = good.clone();
        huge[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(read_tensors(&mut huge.as_slice(), &Device::Cpu)
            .unwrap_err()
            .contains("header"));
        // A tensor claiming more bytes than exist, or than any allocator
        // gives: an error, no abort.
        for claim in [1usize << 40, usize::MAX / 2] {
            let header = serde_json::json!({"a": {"dtype": "U8", "shape": [claim],
                "data_offsets": [0, claim]}});
            let header = serde_json::to_vec(&header).unwrap();
            let mut lying = (header.len() as u64).to_le_bytes().to_vec();
            lying.extend(header);
            lying.extend([0u8; 8]);
            let err = read_tensors(&mut lying.as_slice(), &Device::Cpu).unwrap_err();
            assert!(err.contains("`a`"), "{err}");
        }
        // A type candle cannot hold is skipped, the rest still read.
        let odd = file(&[("b", "BOOL", &[2], vec![1, 0]), ("c", "U8", &[1], vec![9])]);
        let t = read_tensors(&mut odd.as_slice(), &Device::Cpu).unwrap();
        assert!(!t.contains_key("b"));
        assert_eq!(t["c"].to_vec1::<u8>().unwrap(), vec![9]);
        let wrong_size = file(&[("a", "F32", &[3], vec![0; 8])]);
        let err = read_tensors(&mut wrong_size.as_slice(), &Device::Cpu).unwrap_err();
        assert!(err.contains("`a`"), "{err}");
        let not_json = [4u64.to_le_bytes().to_vec(), b"oops".to_vec()].concat();
        assert!(read_tensors(&mut not_json.as_slice(), &Device::Cpu)
            .unwrap_err()
            .contains("JSON"));
    }
}
