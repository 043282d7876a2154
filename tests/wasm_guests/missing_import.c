// Guest for tests/wasm_test.cpp: imports env.foo, which lmp does not provide.
__attribute__((import_module("env"), import_name("foo"))) int foo(void);

int main(void) {
  return foo();
}
