#pragma once
// The runtime instantiates what the component library decodes: these using-declarations let runtime code name the
// decoded binary's types (Sort, TypeDef, Component, ...) as its own, without a namespace-wide using-directive.

#include "weft/component/component.hpp"

namespace weft::runtime {

using component::Alias;
using component::CanonOptions;
using component::Component;
using component::ComponentEntry;
using component::ComponentSummary;
using component::CoreInstanceDef;
using component::CoreItemDef;
using component::decode_component;
using component::decode_component_shared;
using component::Export;
using component::ExternDesc;
using component::FuncDef;
using component::Import;
using component::InstanceDef;
using component::interface_names_compatible;
using component::InterfaceName;
using component::is_component_binary;
using component::ModuleEntry;
using component::parse_interface_name;
using component::Prim;
using component::prim_name;
using component::Sort;
using component::sort_name;
using component::summarize;
using component::TypeDecl;
using component::TypeDef;
using component::TypeEntry;
using component::ValType;

}  // namespace weft::runtime
