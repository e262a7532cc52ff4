#!/usr/bin/env bash
# Lays out a CPU-only libtorch 2.4.0 for saidwho's `rust-bert` feature (tch 0.17
# wants exactly libtorch 2.4.0), taken from PyPI wheels, no other download:
#
#   torch==2.4.0 (cp311, manylinux x86_64)  libc10, libtorch_cpu, libtorch, libgomp + include/
#   nvidia-cuda-runtime-cu12                libcudart.so.12 (libtorch_cpu links it, never calls a GPU)
#   nvidia-cuda-cupti-cu12                  libcupti.so.12  (same, for the profiler)
#
# libtorch_cuda is left out on purpose: without it tch builds and links for the
# CPU only, and the ~1.75 GB of other nvidia wheels are not needed.
#
# Usage:
#   bash .ci/install-libtorch.sh              # prints the exports
#   eval "$(bash .ci/install-libtorch.sh)"    # sets them in this shell
#   . "$HOME/.cache/saidwho-libtorch/env.sh"  # same, written on every run
#
# Idempotent: wheels are downloaded once into $SAIDWHO_TORCH_WHEELS
# (default ~/.cache/saidwho-torch) and unpacked once into $SAIDWHO_LIBTORCH
# (default ~/.cache/saidwho-libtorch). Log lines go to stderr, exports to stdout.
set -euo pipefail

TORCH_VERSION=2.4.0
CUDA_RT_VERSION=12.9.79 # any 12.x provides the sonames libtorch_cpu asks for
WHEELS="${SAIDWHO_TORCH_WHEELS:-$HOME/.cache/saidwho-torch}"
DEST="${SAIDWHO_LIBTORCH:-$HOME/.cache/saidwho-libtorch}"
PIP="${PIP:-$(command -v pip3 || command -v pip || echo 'python3 -m pip')}"

log() { printf 'install-libtorch: %s\n' "$*" >&2; }

wheel() { # wheel GLOB -> path of the first match, empty if none
    compgen -G "$WHEELS/$1" | head -n1 || true
}

download() { # download REQUIREMENT PLATFORM
    log "pip download $1 into $WHEELS"
    $PIP download --quiet --no-deps --only-binary=:all: \
        --python-version 3.11 --implementation cp --abi cp311 \
        --platform "$2" --dest "$WHEELS" "$1" >&2
}

mkdir -p "$WHEELS"
torch_whl=$(wheel "torch-$TORCH_VERSION-cp311-cp311-*x86_64.whl")
if [ -z "$torch_whl" ]; then
    download "torch==$TORCH_VERSION" manylinux1_x86_64
    torch_whl=$(wheel "torch-$TORCH_VERSION-cp311-cp311-*x86_64.whl")
fi
cudart_whl=$(wheel "nvidia_cuda_runtime_cu12-*.whl")
if [ -z "$cudart_whl" ]; then
    download "nvidia-cuda-runtime-cu12==$CUDA_RT_VERSION" manylinux2014_x86_64
    cudart_whl=$(wheel "nvidia_cuda_runtime_cu12-*.whl")
fi
cupti_whl=$(wheel "nvidia_cuda_cupti_cu12-*.whl")
if [ -z "$cupti_whl" ]; then
    download "nvidia-cuda-cupti-cu12==$CUDA_RT_VERSION" manylinux_2_25_x86_64
    cupti_whl=$(wheel "nvidia_cuda_cupti_cu12-*.whl")
fi
for w in "$torch_whl" "$cudart_whl" "$cupti_whl"; do
    [ -s "$w" ] || { log "missing wheel $w"; exit 1; }
done

stamp="$DEST/.installed"
want="$(basename "$torch_whl") $(basename "$cudart_whl") $(basename "$cupti_whl")"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    log "libtorch $TORCH_VERSION already in $DEST"
else
    log "unpacking libtorch $TORCH_VERSION (CPU) into $DEST"
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/saidwho-libtorch.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    unzip -q -o "$torch_whl" -d "$tmp" \
        'torch/lib/libc10.so' 'torch/lib/libtorch_cpu.so' 'torch/lib/libtorch.so' \
        'torch/lib/libgomp-*.so.1' 'torch/include/*'
    unzip -q -o -j "$cudart_whl" 'nvidia/cuda_runtime/lib/libcudart.so.12' -d "$tmp/torch/lib"
    unzip -q -o -j "$cupti_whl" 'nvidia/cuda_cupti/lib/libcupti.so.12' -d "$tmp/torch/lib"
    rm -rf "$DEST"
    mkdir -p "$(dirname "$DEST")"
    mv "$tmp/torch" "$DEST"
    echo "$want" >"$stamp"
fi

# Every library the CPU build needs must resolve from $DEST/lib.
if command -v ldd >/dev/null; then
    missing=$(LD_LIBRARY_PATH="$DEST/lib" ldd "$DEST/lib/libtorch_cpu.so" | grep 'not found' || true)
    [ -z "$missing" ] || { log "unresolved libraries: $missing"; exit 1; }
fi

env_file="$DEST/env.sh"
cat >"$env_file" <<EOF
export LIBTORCH="$DEST"
export LIBTORCH_CXX11_ABI=0
export LD_LIBRARY_PATH="$DEST/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
EOF
log "exports written to $env_file"
cat "$env_file"
