#include "wasm/stop_checks.h"

#include <algorithm>
#include <memory>

#include <wabt/binary-reader-ir.h>
#include <wabt/binary-reader-nop.h>
#include <wabt/binary-reader.h>
#include <wabt/binary-writer.h>
#include <wabt/cast.h>
#include <wabt/ir.h>
#include <wabt/stream.h>
#include <wabt/validator.h>

namespace lmp::wasm {
namespace {

// Deeper nesting is not rewritten: the IR's destructors and writer recurse once per level.
constexpr int kMaxNesting = 4096;

// The deepest block nesting of any function body, read without building the IR.
class NestingDepth : public wabt::BinaryReaderNop {
 public:
  int max = 0;

  bool OnError(const wabt::Error&) override { return true; }  // quiet: the runtime reports

  wabt::Result BeginFunctionBody(wabt::Index, wabt::Offset) override {
    depth_ = 0;
    return wabt::Result::Ok;
  }
  wabt::Result OnBlockExpr(wabt::Type) override { return enter(); }
  wabt::Result OnLoopExpr(wabt::Type) override { return enter(); }
  wabt::Result OnIfExpr(wabt::Type) override { return enter(); }
  wabt::Result OnTryExpr(wabt::Type) override { return enter(); }
  wabt::Result OnEndExpr() override {
    --depth_;
    return wabt::Result::Ok;
  }

 private:
  wabt::Result enter() {
    max = std::max(max, ++depth_);
    return max > kMaxNesting ? wabt::Result::Error : wabt::Result::Ok;
  }
  int depth_ = 0;
};

struct Indices {
  wabt::Index type, table, global;
};

// i32.const 0; call_indirect (type () -> i32) table[0]: the host's check; leaves new fuel.
void append_refill(wabt::ExprList& exprs, const Indices& at) {
  using namespace wabt;
  auto refill = std::make_unique<CallIndirectExpr>();
  refill->decl.has_func_type = true;
  refill->decl.type_var = Var(at.type, Location());
  refill->decl.sig.result_types = {Type::I32};
  refill->table = Var(at.table, Location());
  exprs.push_back(std::make_unique<ConstExpr>(Const::I32(0)));
  exprs.push_back(std::move(refill));
}

// At a function's entry, on the fuel global (a local would restart with every call):
//   global.get; i32.eqz; if (global = refill) end; global -= 1
void prepend_entry_check(wabt::ExprList& exprs, const Indices& at) {
  using namespace wabt;
  auto when_empty = std::make_unique<IfExpr>();
  append_refill(when_empty->true_.exprs, at);
  when_empty->true_.exprs.push_back(std::make_unique<GlobalSetExpr>(Var(at.global, Location())));
  ExprList check;
  check.push_back(std::make_unique<GlobalGetExpr>(Var(at.global, Location())));
  check.push_back(std::make_unique<ConvertExpr>(Opcode::I32Eqz));
  check.push_back(std::move(when_empty));
  check.push_back(std::make_unique<GlobalGetExpr>(Var(at.global, Location())));
  check.push_back(std::make_unique<ConstExpr>(Const::I32(1)));
  check.push_back(std::make_unique<BinaryExpr>(Opcode::I32Sub));
  check.push_back(std::make_unique<GlobalSetExpr>(Var(at.global, Location())));
  exprs.splice(exprs.begin(), check);
}

// At the top of a loop, on a fuel local (cheaper; loops run far more often than calls), in
// five interpreted instructions when fuel is left (a block costs none):
//   block; local.get; i32.const -1; i32.add; local.tee; br_if 0; local = refill; end
void prepend_loop_check(wabt::ExprList& exprs, const Indices& at, wabt::Index local) {
  using namespace wabt;
  auto block = std::make_unique<BlockExpr>();
  ExprList& body = block->block.exprs;
  body.push_back(std::make_unique<LocalGetExpr>(Var(local, Location())));
  body.push_back(std::make_unique<ConstExpr>(Const::I32(static_cast<uint32_t>(-1))));
  body.push_back(std::make_unique<BinaryExpr>(Opcode::I32Add));
  body.push_back(std::make_unique<LocalTeeExpr>(Var(local, Location())));
  body.push_back(std::make_unique<BrIfExpr>(Var(0, Location())));
  append_refill(body, at);
  body.push_back(std::make_unique<LocalSetExpr>(Var(local, Location())));
  exprs.push_front(std::move(block));
}

// Adds the checks at the entry of `func` and at the top of every loop inside it.
void instrument(wabt::Func& func, const Indices& at) {
  using namespace wabt;
  ExprList& body = func.exprs;
  std::vector<ExprList*> pending{&body};
  // Loops get their check after the walk, so the walk never sees the inserted code.
  std::vector<ExprList*> loops;
  while (!pending.empty()) {
    ExprList* list = pending.back();
    pending.pop_back();
    for (Expr& expr : *list) {
      if (auto* loop = wabt::dyn_cast<LoopExpr>(&expr)) {
        loops.push_back(&loop->block.exprs);
        pending.push_back(&loop->block.exprs);
      } else if (auto* block = wabt::dyn_cast<BlockExpr>(&expr)) {
        pending.push_back(&block->block.exprs);
      } else if (auto* if_expr = wabt::dyn_cast<IfExpr>(&expr)) {
        pending.push_back(&if_expr->true_.exprs);
        pending.push_back(&if_expr->false_);
      } else if (auto* try_expr = wabt::dyn_cast<TryExpr>(&expr)) {
        pending.push_back(&try_expr->block.exprs);
        for (Catch& c : try_expr->catches) pending.push_back(&c.exprs);
      }
    }
  }
  if (!loops.empty()) {
    Index local = func.GetNumParamsAndLocals();
    func.local_types.AppendDecl(Type::I32, 1);
    for (ExprList* loop : loops) prepend_loop_check(*loop, at, local);
    ExprList init;
    init.push_back(std::make_unique<ConstExpr>(Const::I32(kStopCheckFuel)));
    init.push_back(std::make_unique<LocalSetExpr>(Var(local, Location())));
    body.splice(body.begin(), init);
  }
  prepend_entry_check(body, at);
}

}  // namespace

std::optional<StopCheckedModule> add_stop_checks(std::span<const uint8_t> wasm,
                                                 bool export_internals) {
  using namespace wabt;
  ReadBinaryOptions read_options;
  read_options.fail_on_custom_section_error = false;
  NestingDepth nesting;
  if (Failed(ReadBinary(wasm.data(), wasm.size(), &nesting, read_options))) return std::nullopt;

  Errors errors;
  Module module;
  if (Failed(
          ReadBinaryIr("module.wasm", wasm.data(), wasm.size(), read_options, &errors, &module)) ||
      Failed(ValidateModule(&module, &errors, ValidateOptions(read_options.features))))
    return std::nullopt;

  Indices at{static_cast<Index>(module.types.size()), static_cast<Index>(module.tables.size()),
             static_cast<Index>(module.globals.size())};
  for (Index i = module.num_func_imports; i < module.funcs.size(); ++i)
    instrument(*module.funcs[i], at);

  auto type = std::make_unique<TypeModuleField>();
  auto func_type = std::make_unique<FuncType>();
  func_type->sig.result_types = {Type::I32};
  type->type = std::move(func_type);
  module.AppendField(std::move(type));
  auto table = std::make_unique<TableModuleField>();
  table->table.elem_limits = Limits(1, 1);
  table->table.elem_type = Type::FuncRef;
  module.AppendField(std::move(table));
  auto global = std::make_unique<GlobalModuleField>();
  global->global.type = Type::I32;
  global->global.mutable_ = true;
  global->global.init_expr.push_back(std::make_unique<ConstExpr>(Const::I32(kStopCheckFuel)));
  module.AppendField(std::move(global));

  std::optional<uint32_t> start;
  if (!module.starts.empty()) {
    start = module.GetFuncIndex(*module.starts.front());
    module.starts.clear();
    for (auto it = module.fields.begin(); it != module.fields.end();) {
      if (wabt::isa<StartModuleField>(&*it))
        it = module.fields.erase(it);
      else
        ++it;
    }
  }

  if (export_internals) {
    auto add_export = [&](std::string_view name, ExternalKind kind, Index index) {
      auto field = std::make_unique<ExportModuleField>();
      field->export_.name = std::string(name);
      field->export_.kind = kind;
      field->export_.var = Var(index, Location());
      module.AppendField(std::move(field));
    };
    add_export(kStopCheckTableExport, ExternalKind::Table, at.table);
    if (start) add_export(kStartExport, ExternalKind::Func, *start);
  }

  MemoryStream stream;
  WriteBinaryOptions write_options;
  write_options.features = read_options.features;
  if (Failed(WriteBinaryModule(&stream, &module, write_options))) return std::nullopt;
  return StopCheckedModule{std::move(stream.output_buffer().data), at.table, start};
}

}  // namespace lmp::wasm
