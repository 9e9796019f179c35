// The processes' table (processes.hpp).
#include "volatility/processes.hpp"

#include "volatility/aparch.hpp"

namespace kernelbus::volatility {

namespace {
/// Indexed by Model::vol (kVolGarch, kVolEgarch, kVolAparch); EGARCH's grid is GARCH's (garchStarts reads m.vol).
const Process kProcesses[] = {
    {garchValues, garchOmegaBounds, garchPolytope, garchStarts, garchPaths},
    {egarchRecursion, egarchOmegaBounds, egarchPolytope, garchStarts, egarchPaths},
    {aparchRecursion, aparchOmegaBounds, aparchPolytope, aparchStarts, aparchPaths},
};
}  // namespace

const Process& processOf(const Model& m) { return kProcesses[m.vol]; }

double* addRow(Polytope& out, size_t k) {
  out.a.resize((out.rows + 1) * k, 0.0);
  return out.a.data() + (out.rows++) * k;
}

}  // namespace kernelbus::volatility
