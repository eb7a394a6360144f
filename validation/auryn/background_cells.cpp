// background_cells.cpp -- unconnected cells driven only by their Poisson backgrounds.
//
// Reference driver for the "narrowing" experiment: it isolates the single-cell
// response of the Fig. 3 cell types (Payeur et al. 2021) to the background drive
// used by the authors' sim_propagation, with NO recurrent / feedforward / feedback
// connections at all.
//
// Populations (all in one program, one Auryn master seed):
//   * three groups of NGROUP two-compartment pyramids (auryn::NaudGroup), one per
//     (somatic, dendritic) DC current setting:
//         A: (   0 pA,  50 pA)   -- baseline of pyr1 in sim_propagation
//         B: (-100 pA, 100 pA)   -- baseline of pyr2 in sim_propagation
//         C: ( 200 pA,  50 pA)   -- pyr1 at the top of its somatic sine
//     NMDA/AMPA ratio 0 on both compartments, membrane randomised
//     (mean -70 mV, sd 5 mV).
//     Each group gets four private 500 Hz Poisson groups of the same size,
//     connected one-to-one (IdentityConnection):
//         exc -> g_ampa       w = 0.35     inh -> g_gaba       w = 0.35
//         exc -> g_ampa_dend  w = 0.05     inh -> g_gaba_dend  w = 0.05
//   * NGROUP PV cells (AdExGroup, non-adapting), 205 pA DC,
//         backgrounds exc w = 0.75, inh w = 0.75 * 1.5
//   * NGROUP SOM cells (AdExGroup, adapting), 0 pA DC,
//         backgrounds exc w = 0.4,  inh w = 0.4 * 1.25
//   (weights are in Auryn's units of the leak conductance).
//
// Outputs (in --dir):  bgcells.0.ras_<pop>   spike rasters "time neuron"
//                      bgcells.0.brate_<pyr> BurstRateMonitor, 50 ms bins
//                      bgcells.0.poissonrate PopulationRateMonitor (50 ms bins)
//                                            of ONE 500 Hz background group
//                                            (the somatic exc drive of group A)
//
// Build: see validation/auryn/background_cells_build.sh (links libauryn.a).
// Usage: background_cells --seed S --dir D [--simtime 4.0] [--ngroup 2000]

#include "auryn.h"
#include <cmath>
#include <string>
#include <vector>

namespace po = boost::program_options;
using namespace auryn;

namespace {

const double kPoissonRate = 500.0;  // Hz, every background source

// Non-adapting fast-spiking PV cell (parameters of the Fig. 3 circuit).
void setup_pv(AdExGroup *g)
{
    const AurynFloat g_leak = 10e-9, tau_m = 10e-3, e_leak = -70e-3;
    const AurynFloat slope = 2e-3, rheobase = 200e-12;
    g->set_g_leak(g_leak);
    g->set_c_mem(g_leak * tau_m);
    g->set_e_rest(e_leak);
    g->set_delta_t(slope);
    g->set_e_thr(e_leak + rheobase / g_leak + slope);
    g->set_e_reset(e_leak + 15e-3);
    g->set_refractory_period(1e-3);
    g->set_a(0.0);
    g->set_b(0.0);
    g->set_tau_w(5e-3);
    g->random_mem(e_leak, 5e-3);
    g->set_tau_ampa(5e-3);
    g->set_tau_gaba(10e-3);
}

// Adapting SOM cell (parameters of the Fig. 3 circuit).
void setup_som(AdExGroup *g)
{
    const AurynFloat g_leak = 5e-9, tau_m = 20e-3, e_leak = -70e-3;
    const AurynFloat slope = 4e-3, rheobase = 25e-12;
    const AurynFloat a = 0.5e-9, b = 10e-12;
    g->set_g_leak(g_leak);
    g->set_c_mem(g_leak * tau_m);
    g->set_e_rest(e_leak);
    g->set_delta_t(slope);
    // threshold chosen so that the rheobase of the adapting cell is 25 pA
    g->set_e_thr(e_leak + rheobase / (g_leak + a) + slope
                 - slope * std::log(1.0 + a / g_leak));
    g->set_e_reset(e_leak + 5e-3);
    g->set_refractory_period(2e-3);
    g->set_a(a);
    g->set_b(b);
    g->set_tau_w(500e-3);
    g->random_mem(e_leak, 5e-3);
    g->set_tau_ampa(5e-3);
    g->set_tau_gaba(10e-3);
}

// One-to-one Poisson drive onto a given conductance of a group.
PoissonGroup *add_background(NeuronGroup *target, NeuronID n, AurynWeight w,
                             TransmitterType type, const std::string &g_name)
{
    PoissonGroup *src = new PoissonGroup(n, kPoissonRate);
    IdentityConnection *con = new IdentityConnection(src, target, w, type);
    if (!g_name.empty()) con->set_target(g_name);
    return src;
}

struct PyrSetting {
    std::string label;
    double i_soma;  // A
    double i_dend;  // A
};

}  // namespace

int main(int argc, char *argv[])
{
    unsigned int seed = 1;
    std::string outdir = ".";
    double simtime = 4.0;
    int ngroup = 2000;

    po::options_description opts("background_cells options");
    opts.add_options()
        ("help", "show options")
        ("seed", po::value<unsigned int>(&seed), "Auryn master seed")
        ("dir", po::value<std::string>(&outdir), "output directory")
        ("simtime", po::value<double>(&simtime), "simulated time (s)")
        ("ngroup", po::value<int>(&ngroup), "cells per population");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, opts), vm);
        po::notify(vm);
    } catch (std::exception &e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    if (vm.count("help")) {
        std::cout << opts << "\n";
        return 1;
    }

    auryn_init(argc, argv, outdir, "bgcells");
    sys->set_master_seed(seed);
    const NeuronID n = static_cast<NeuronID>(ngroup);

    // ---- pyramids: one group per current setting ----
    const std::vector<PyrSetting> settings = {
        {"s0_d50", 0.0, 50e-12},
        {"sm100_d100", -100e-12, 100e-12},
        {"s200_d50", 200e-12, 50e-12},
    };
    PoissonGroup *monitored_poisson = nullptr;
    for (const PyrSetting &s : settings) {
        NaudGroup *pyr = new NaudGroup(n);
        pyr->syn_exc_soma->set_nmda_ampa_current_ampl_ratio(0.0);
        pyr->syn_exc_dend->set_nmda_ampa_current_ampl_ratio(0.0);
        pyr->random_mem(-70e-3, 5e-3);

        PoissonGroup *soma_exc = add_background(pyr, n, 0.35, GLUT, "g_ampa");
        add_background(pyr, n, 0.35, GABA, "g_gaba");
        add_background(pyr, n, 0.05, GLUT, "g_ampa_dend");
        add_background(pyr, n, 0.05, GABA, "g_gaba_dend");
        if (!monitored_poisson) monitored_poisson = soma_exc;

        CurrentInjector *inj_soma = new CurrentInjector(pyr, "mem");
        CurrentInjector *inj_dend = new CurrentInjector(pyr, "Vd");
        inj_soma->set_all_currents(s.i_soma / pyr->get_Cs());
        inj_dend->set_all_currents(s.i_dend / pyr->get_Cd());

        new SpikeMonitor(pyr, sys->fn("ras_" + s.label));
        new BurstRateMonitor(pyr, sys->fn("brate_" + s.label), 50e-3);
    }

    // ---- PV ----
    AdExGroup *pv = new AdExGroup(n);
    setup_pv(pv);
    add_background(pv, n, 0.75, GLUT, "");
    add_background(pv, n, 0.75 * 1.5, GABA, "");
    CurrentInjector *inj_pv = new CurrentInjector(pv, "mem");
    inj_pv->set_all_currents(205e-12 / pv->get_c_mem());
    new SpikeMonitor(pv, sys->fn("ras_pv"));

    // ---- SOM ----
    AdExGroup *som = new AdExGroup(n);
    setup_som(som);
    add_background(som, n, 0.4, GLUT, "");
    add_background(som, n, 0.4 * 1.25, GABA, "");
    CurrentInjector *inj_som = new CurrentInjector(som, "mem");
    inj_som->set_all_currents(0.0);
    new SpikeMonitor(som, sys->fn("ras_som"));

    // ---- realised rate of one background source group ----
    new PopulationRateMonitor(monitored_poisson, sys->fn("poissonrate"), 50e-3);

    if (!sys->run(simtime)) {
        auryn_abort(1);
    }
    auryn_free();
    return 0;
}
