// Reference driver: single NaudGroup cells (Auryn's two-compartment pyramidal model) under a
// deterministic protocol of piecewise-constant somatic/dendritic currents and presynaptic
// spike trains onto the four conductances.
//
// Usage: naud_single PROTOCOL_FILE OUT_DIR
//
// The protocol (written by make_protocols.py) gives the number of cells and steps, the current
// segments ("current <neuron> mem|Vd <start_step> <stop_step> <amps>"), one raster file per
// input channel ("spikes <channel> <file>", lines "time_s neuron") and the weight of each
// channel ("weight <channel> <w>", in units of the leak conductance as Auryn uses them).
//
// Set-up as in the authors' simulations, minus random_mem: NaudGroup with its constructor
// defaults, set_nmda_ampa_current_ampl_ratio(0.) on both excitatory synapse models, one
// CurrentInjector on "mem" (value I/Cs) and one on "Vd" (value I/Cd), one FileInputGroup per
// input channel connected 1:1 (IdentityConnection) to the target state of that channel.
// Every state variable is sampled after every step with run_steps(1).

#include "harness.h"

using namespace auryn;

// Exposes NaudGroup's internal constants so that the exact values used are recorded.
class ProbeNaud : public NaudGroup
{
public:
	explicit ProbeNaud(NeuronID n) : NaudGroup(n) {}
	std::vector<double> constants(std::vector<std::string> & names)
	{
		names.clear();
		std::vector<double> v;
#define VH_PUSH(x) do { names.push_back(#x); v.push_back((double)(x)); } while (0)
		VH_PUSH(e_rest); VH_PUSH(e_reset); VH_PUSH(e_inh); VH_PUSH(e_thr); VH_PUSH(e_spk_thr);
		VH_PUSH(tau_thr); VH_PUSH(tau_soma); VH_PUSH(Cs); VH_PUSH(gs); VH_PUSH(tau_wsoma);
		VH_PUSH(b_wsoma); VH_PUSH(tau_dend); VH_PUSH(Cd); VH_PUSH(gd); VH_PUSH(tau_wdend);
		VH_PUSH(a_wdend); VH_PUSH(zeta); VH_PUSH(box_kernel_length); VH_PUSH(e_dend); VH_PUSH(xi);
		VH_PUSH(tau_ampa); VH_PUSH(tau_gaba); VH_PUSH(tau_nmda);
		VH_PUSH(mul_soma); VH_PUSH(mul_alpha); VH_PUSH(mul_wsoma); VH_PUSH(mul_dend);
		VH_PUSH(mul_beta); VH_PUSH(box_height); VH_PUSH(mul_wdend); VH_PUSH(scale_wsoma);
		VH_PUSH(aux_mul_wdend); VH_PUSH(mul_thr); VH_PUSH(post_spike_reset); VH_PUSH(auryn_timestep);
#undef VH_PUSH
		return v;
	}
};

int main(int ac, char * av[])
{
	if (ac < 3) {
		std::cerr << "usage: naud_single PROTOCOL_FILE OUT_DIR" << std::endl;
		return 2;
	}
	const std::string protocol_file = av[1];
	const std::string out = std::string(av[2]) + "/";
	const std::string base = protocol_file.substr(0, protocol_file.find_last_of('/') + 1);

	auryn_init(ac, av, av[2], "naud_single", "", WARNING, WARNING);
	sys->quiet = true;

	vh::Protocol p(protocol_file);
	const NeuronID n = (NeuronID)p.integer("n_neurons");
	const AurynTime n_steps = (AurynTime)p.integer("n_steps");

	ProbeNaud * pyr = new ProbeNaud(n);
	pyr->syn_exc_soma->set_nmda_ampa_current_ampl_ratio(0.);
	pyr->syn_exc_dend->set_nmda_ampa_current_ampl_ratio(0.);

	// input channels: name -> target state of the NaudGroup
	const char * channels[4][2] = {{"ampa_soma", "g_ampa"},
	                               {"gaba_soma", "g_gaba"},
	                               {"ampa_dend", "g_ampa_dend"},
	                               {"gaba_dend", "g_gaba_dend"}};
	std::vector<vh::SpikeRecorder *> input_rec;
	for (int c = 0; c < 4; ++c) {
		const std::string ch = channels[c][0];
		std::string file;
		std::vector<std::vector<std::string> > sp = p.all("spikes");
		for (size_t k = 0; k < sp.size(); ++k)
			if (sp[k].at(0) == ch) file = base + sp[k].at(1);
		double w = 0.0;
		std::vector<std::vector<std::string> > ws = p.all("weight");
		for (size_t k = 0; k < ws.size(); ++k)
			if (ws[k].at(0) == ch) w = std::stod(ws[k].at(1));
		if (file.empty()) throw std::runtime_error("no spike file for channel " + ch);
		FileInputGroup * src = new FileInputGroup(n, file);
		TransmitterType tt = (ch.find("gaba") == 0) ? GABA : GLUT;
		IdentityConnection * con = new IdentityConnection(src, pyr, (AurynWeight)w, tt);
		con->set_target(channels[c][1]);
		input_rec.push_back(new vh::SpikeRecorder(src));
	}

	CurrentInjector * inj_soma = new CurrentInjector(pyr, "mem");
	CurrentInjector * inj_dend = new CurrentInjector(pyr, "Vd");
	vh::SpikeRecorder * out_rec = new vh::SpikeRecorder(pyr);
	SpikeMonitor * smon = new SpikeMonitor(pyr, sys->fn("naud_spikes", "ras"));
	(void)smon;

	std::vector<vh::CurrentSegment> segs = vh::read_segments(p);

	vh::StateTable st(n);
	st.add("V_s", pyr->mem);
	st.add("V_d", pyr->get_state_vector("Vd"));
	st.add("wsoma", pyr->get_state_vector("wsoma"));
	st.add("wdend", pyr->get_state_vector("wdend"));
	st.add("thr", pyr->thr);
	st.add("g_ampa", pyr->g_ampa);
	st.add("g_gaba", pyr->g_gaba);
	st.add("g_ampa_dend", pyr->get_state_vector("g_ampa_dend"));
	st.add("g_gaba_dend", pyr->get_state_vector("g_gaba_dend"));
	st.sample();  // row 0: state after construction

	// value actually written into the injectors during each step (float, V/s)
	std::vector<float> inj_s(n, 0.f), inj_d(n, 0.f);
	std::vector<float> inj_s_log, inj_d_log;
	const double Cs = pyr->get_Cs(), Cd = pyr->get_Cd();

	for (AurynTime k = 0; k < n_steps; ++k) {
		for (size_t j = 0; j < segs.size(); ++j) {  // segments ending at k first
			if (segs[j].stop != k) continue;
			if (segs[j].state == "mem") inj_s[segs[j].neuron] = 0.f;
			else inj_d[segs[j].neuron] = 0.f;
		}
		for (size_t j = 0; j < segs.size(); ++j) {
			if (segs[j].start != k) continue;
			// same expression as the authors' sims: set_all_currents(I / C)
			if (segs[j].state == "mem") inj_s[segs[j].neuron] = (AurynFloat)(segs[j].amps / Cs);
			else inj_d[segs[j].neuron] = (AurynFloat)(segs[j].amps / Cd);
		}
		for (NeuronID i = 0; i < n; ++i) {
			inj_soma->set_current(i, inj_s[i]);
			inj_dend->set_current(i, inj_d[i]);
		}
		inj_s_log.insert(inj_s_log.end(), inj_s.begin(), inj_s.end());
		inj_d_log.insert(inj_d_log.end(), inj_d.begin(), inj_d.end());
		vh::run_steps(1);
		st.sample();
	}

	st.write(out + "naud_");
	vh::write_spikes(out + "naud_out", *out_rec);
	for (int c = 0; c < 4; ++c) vh::write_spikes(out + "naud_in_" + channels[c][0], *input_rec[c]);
	vh::write_npy(out + "naud_inj_soma.npy", inj_s_log, n_steps, n);
	vh::write_npy(out + "naud_inj_dend.npy", inj_d_log, n_steps, n);
	std::vector<std::string> names;
	std::vector<double> consts = pyr->constants(names);
	vh::write_npy(out + "naud_consts.npy", consts, 1, consts.size());
	std::ofstream nf((out + "naud_consts_names.txt").c_str());
	for (size_t j = 0; j < names.size(); ++j) nf << names[j] << "\n";

	auryn_free();
	return 0;
}
