// Reference driver: single AdExGroup cells with the PV and SOM parameter settings of the
// authors' propagation simulation (the same setter calls in the same order, without
// random_mem), under current steps and deterministic synaptic spike trains.
//
// Usage: adex_single PROTOCOL_FILE OUT_DIR
//
// Protocol keys, per population P in {pv, som}: "P_n_neurons n", "P_current <neuron> mem
// <start> <stop> <amps>", "P_weight ampa|gaba w", "P_spikes ampa|gaba <file>"; "n_steps T".
// Injected current: CurrentInjector on "mem" with value I/c_mem (set_current per neuron).
// Synaptic input: one FileInputGroup per channel, IdentityConnection (GLUT -> g_ampa,
// GABA -> g_gaba, the AdExGroup defaults).

#include "harness.h"

#include <cmath>

using namespace auryn;

// Interneuron parameters (Payeur et al. 2021, PV and SOM AdEx cells), applied through
// AdExGroup's setters in the order used by the authors' propagation simulation. The order
// matters: set_a/set_b divide by the g_leak current at call time, and set_e_rest also sets mem.
// The values are held in AurynFloat, as there, so the derived constants (c_mem = gL*tau_m,
// the threshold V_T) round the same way. random_mem is not called: mem starts at E_L.
struct InterneuronParams
{
	AurynFloat gL, tau_m, EL, DeltaT, a, b, tau_w, tau_ref;
	AurynFloat reset_above_EL;  // V_reset - E_L
	AurynFloat rheobase;
	bool som_threshold;  // V_T formula with subthreshold adaptation (SOM) or without (PV)
};

static void configure(AdExGroup * g, const InterneuronParams & q)
{
	g->set_refractory_period(q.tau_ref);
	g->set_g_leak(q.gL);
	g->set_delta_t(q.DeltaT);
	g->set_c_mem(q.gL * q.tau_m);
	g->set_a(q.a);
	g->set_b(q.b);
	g->set_e_rest(q.EL);
	g->set_e_reset(q.EL + q.reset_above_EL);
	if (q.som_threshold)  // rheobase of an AdEx neuron with a > 0 solved for V_T
		g->set_e_thr(q.rheobase / (q.gL + q.a) + q.EL + q.DeltaT - q.DeltaT * log(1. + q.a / q.gL));
	else
		g->set_e_thr(q.rheobase / q.gL + q.EL + q.DeltaT);
	g->set_tau_w(q.tau_w);
	g->set_tau_ampa(5.e-3);
	g->set_tau_gaba(10.e-3);
}

static InterneuronParams pv_params()
{
	InterneuronParams q;
	q.gL = 10e-9; q.tau_m = 10e-3; q.EL = -70.e-3; q.DeltaT = 2.e-3;
	q.a = 0.; q.b = 0.; q.tau_w = 5.e-3; q.tau_ref = 1.e-3;
	q.reset_above_EL = 15.e-3; q.rheobase = 200e-12; q.som_threshold = false;
	return q;
}

static InterneuronParams som_params()
{
	InterneuronParams q;
	q.gL = 5.e-9; q.tau_m = 20e-3; q.EL = -70.e-3; q.DeltaT = 4.e-3;
	q.a = 0.5e-9; q.b = 10.e-12; q.tau_w = 500e-3; q.tau_ref = 2.e-3;
	q.reset_above_EL = 5.e-3; q.rheobase = 25e-12; q.som_threshold = true;
	return q;
}

// AdExGroup keeps its constants private; these are the values its setters store, computed with
// the same expressions and types (AurynFloat members, double intermediate where the setter
// uses one), so the reference data carries the exact numbers the integration used.
static std::vector<double> adex_constants(AdExGroup * g, const InterneuronParams & q, std::vector<std::string> & names)
{
	names.clear();
	std::vector<double> v;
	AurynFloat e_thr = q.som_threshold
		? (AurynFloat)(q.rheobase / (q.gL + q.a) + q.EL + q.DeltaT - q.DeltaT * log(1. + q.a / q.gL))
		: (AurynFloat)(q.rheobase / q.gL + q.EL + q.DeltaT);
	AurynFloat c_mem = q.gL * q.tau_m;
	AurynFloat tau_mem = c_mem / q.gL;
	AurynFloat tau_w = q.tau_w;
#define VH_PUSH(name, x) do { names.push_back(name); v.push_back((double)(x)); } while (0)
	VH_PUSH("e_rest", q.EL);
	VH_PUSH("e_reset", (AurynFloat)(q.EL + q.reset_above_EL));
	VH_PUSH("e_thr", e_thr);
	VH_PUSH("e_rev_ampa", 0.0);
	VH_PUSH("e_rev_gaba", (AurynFloat)-80e-3);
	VH_PUSH("g_leak", q.gL);
	VH_PUSH("c_mem", g->get_c_mem());
	VH_PUSH("tau_mem", tau_mem);
	VH_PUSH("deltat", q.DeltaT);
	VH_PUSH("a_over_gL", (AurynFloat)(q.a / q.gL));
	VH_PUSH("b_over_gL", (AurynFloat)(q.b / q.gL));
	VH_PUSH("tau_w", tau_w);
	VH_PUSH("tau_ampa", g->get_tau_ampa());
	VH_PUSH("tau_gaba", g->get_tau_gaba());
	VH_PUSH("scale_mem", (AurynFloat)(auryn_timestep / tau_mem));
	VH_PUSH("scale_w", (AurynFloat)(auryn_timestep / tau_w));
	VH_PUSH("scale_ampa", (AurynFloat)exp(-auryn_timestep / g->get_tau_ampa()));
	VH_PUSH("scale_gaba", (AurynFloat)exp(-auryn_timestep / g->get_tau_gaba()));
	VH_PUSH("refractory_steps", (unsigned short)((AurynDouble)q.tau_ref / auryn_timestep));
	VH_PUSH("auryn_timestep", auryn_timestep);
#undef VH_PUSH
	return v;
}

struct Pop
{
	std::string name;
	NeuronID n;
	AdExGroup * g;
	CurrentInjector * inj;
	vh::SpikeRecorder * out_rec;
	std::vector<vh::SpikeRecorder *> in_rec;
	std::vector<vh::CurrentSegment> segs;
	vh::StateTable * st;
	std::vector<float> cur, cur_log;
};

int main(int ac, char * av[])
{
	if (ac < 3) {
		std::cerr << "usage: adex_single PROTOCOL_FILE OUT_DIR" << std::endl;
		return 2;
	}
	const std::string protocol_file = av[1];
	const std::string out = std::string(av[2]) + "/";
	const std::string base = protocol_file.substr(0, protocol_file.find_last_of('/') + 1);

	auryn_init(ac, av, av[2], "adex_single", "", WARNING, WARNING);
	sys->quiet = true;

	vh::Protocol p(protocol_file);
	const AurynTime n_steps = (AurynTime)p.integer("n_steps");

	std::vector<Pop> pops(2);
	pops[0].name = "pv";
	pops[1].name = "som";
	for (size_t q = 0; q < pops.size(); ++q) {
		Pop & P = pops[q];
		P.n = (NeuronID)p.integer(P.name + "_n_neurons");
		P.g = new AdExGroup(P.n);
		configure(P.g, P.name == "pv" ? pv_params() : som_params());
		const char * chans[2] = {"ampa", "gaba"};
		for (int c = 0; c < 2; ++c) {
			std::string file;
			double w = 0.0;
			std::vector<std::vector<std::string> > sp = p.all(P.name + "_spikes");
			for (size_t k = 0; k < sp.size(); ++k)
				if (sp[k].at(0) == chans[c]) file = base + sp[k].at(1);
			std::vector<std::vector<std::string> > ws = p.all(P.name + "_weight");
			for (size_t k = 0; k < ws.size(); ++k)
				if (ws[k].at(0) == chans[c]) w = std::stod(ws[k].at(1));
			FileInputGroup * src = new FileInputGroup(P.n, file);
			new IdentityConnection(src, P.g, (AurynWeight)w, c == 0 ? GLUT : GABA);
			P.in_rec.push_back(new vh::SpikeRecorder(src));
		}
		P.inj = new CurrentInjector(P.g, "mem");
		P.out_rec = new vh::SpikeRecorder(P.g);
		new SpikeMonitor(P.g, sys->fn(P.name + "_spikes", "ras"));
		std::vector<std::vector<std::string> > a = p.all(P.name + "_current");
		for (size_t k = 0; k < a.size(); ++k) {
			vh::CurrentSegment s;
			s.neuron = (NeuronID)std::stoul(a[k].at(0));
			s.state = a[k].at(1);
			s.start = (AurynTime)std::stoul(a[k].at(2));
			s.stop = (AurynTime)std::stoul(a[k].at(3));
			s.amps = std::stod(a[k].at(4));
			P.segs.push_back(s);
		}
		P.st = new vh::StateTable(P.n);
		P.st->add("mem", P.g->mem);
		P.st->add("w", P.g->get_state_vector("w"));
		P.st->add("g_ampa", P.g->g_ampa);
		P.st->add("g_gaba", P.g->g_gaba);
		P.st->sample();
		P.cur.assign(P.n, 0.f);
	}

	for (AurynTime k = 0; k < n_steps; ++k) {
		for (size_t q = 0; q < pops.size(); ++q) {
			Pop & P = pops[q];
			const double C = P.g->get_c_mem();
			for (size_t j = 0; j < P.segs.size(); ++j)
				if (P.segs[j].stop == k) P.cur[P.segs[j].neuron] = 0.f;
			for (size_t j = 0; j < P.segs.size(); ++j)
				if (P.segs[j].start == k) P.cur[P.segs[j].neuron] = (AurynFloat)(P.segs[j].amps / C);
			for (NeuronID i = 0; i < P.n; ++i) P.inj->set_current(i, P.cur[i]);
			P.cur_log.insert(P.cur_log.end(), P.cur.begin(), P.cur.end());
		}
		vh::run_steps(1);
		for (size_t q = 0; q < pops.size(); ++q) pops[q].st->sample();
	}

	for (size_t q = 0; q < pops.size(); ++q) {
		Pop & P = pops[q];
		const std::string pre = out + "adex_" + P.name + "_";
		P.st->write(pre);
		vh::write_spikes(pre + "out", *P.out_rec);
		vh::write_spikes(pre + "in_ampa", *P.in_rec[0]);
		vh::write_spikes(pre + "in_gaba", *P.in_rec[1]);
		vh::write_npy(pre + "inj.npy", P.cur_log, n_steps, P.n);
		std::vector<std::string> names;
		std::vector<double> consts = adex_constants(P.g, P.name == "pv" ? pv_params() : som_params(), names);
		vh::write_npy(pre + "consts.npy", consts, 1, consts.size());
		std::ofstream nf((pre + "consts_names.txt").c_str());
		for (size_t j = 0; j < names.size(); ++j) nf << names[j] << "\n";
	}

	auryn_free();
	return 0;
}
