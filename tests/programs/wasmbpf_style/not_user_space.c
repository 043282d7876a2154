/* Not named in config.json: lmp build-wasm must not compile this file. */
#error "not part of the user space"
