#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| kelemetry_cli::fuzzing::yaml(data));
