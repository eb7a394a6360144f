// Reference driver: STPeTMConnection (spikingburstprop) with the depressing (STD) and the
// facilitating (STF) parameter sets of the propagation simulation, driven by deterministic
// presynaptic trains.
//
// Usage: stp_connection PROTOCOL_FILE OUT_DIR
//
// Protocol keys: "n_steps T", "weight w", "train <name> <raster file>" (neuron 0 only),
// "set <name> tau_d tau_f ujump f".
//
// For every (train, set) pair: a FileInputGroup of one neuron plays the train into an
// STPeTMConnection (1x1, sparseness 1) configured with set_tau_d, set_tau_f, set_ujump, set_f
// (the calls the authors' set_Depressing_connection / set_Facilitating_connection make). The
// connection targets a private state "g_stp" of a one-cell AdExGroup that nothing else touches;
// the driver reads it after every step and zeroes it, so the recorded value is exactly the
// amount transmitted in that step (weight * spike attribute, float). The spike attribute (the
// efficacy u*x pushed when the spike is emitted) is read in the device phase of the emission
// step. u and x are read from the connection after every step.
//
// One more pair (train "regular_bursts", set STD) targets the AdExGroup's real g_ampa, to show
// when the conductance of a target jumps relative to the presynaptic emission step.

#include "harness.h"
#include "STPeTMConnection.h"

using namespace auryn;

// Gives read access to the (protected) per-presynaptic-neuron STP state.
class ProbeSTP : public STPeTMConnection
{
public:
	ProbeSTP(SpikingGroup * s, NeuronGroup * d, AurynWeight w)
		: STPeTMConnection(s, d, w, 1.0, GLUT, "ProbeSTP") {}
	float u() { return state_u->get(0); }
	float x() { return state_x->get(0); }
};

// Records emission step and spike attribute of every spike of a one-neuron source.
class AttributeRecorder : public Device
{
public:
	SpikingGroup * src;
	std::vector<int64_t> steps;
	std::vector<float> attrib;
	explicit AttributeRecorder(SpikingGroup * s) : Device(), src(s) { sys->register_device(this); }
	virtual void execute()
	{
		SpikeContainer * sc = src->get_spikes_immediate();
		AttributeContainer * ac = src->get_attributes_immediate();
		for (size_t i = 0; i < sc->size(); ++i) {
			steps.push_back((int64_t)sys->get_clock());
			attrib.push_back(i < ac->size() ? ac->at(i) : std::numeric_limits<float>::quiet_NaN());
		}
	}
};

struct Pair
{
	std::string name;
	FileInputGroup * src;
	AdExGroup * dst;
	ProbeSTP * con;
	AttributeRecorder * rec;
	AurynStateVector * target;
	std::vector<float> u, x, delivered;  // per step (row 0 = initial state)
	std::vector<int64_t> delivered_steps;
	std::vector<float> delivered_amount;
};

int main(int ac, char * av[])
{
	if (ac < 3) {
		std::cerr << "usage: stp_connection PROTOCOL_FILE OUT_DIR" << std::endl;
		return 2;
	}
	const std::string protocol_file = av[1];
	const std::string out = std::string(av[2]) + "/";
	const std::string base = protocol_file.substr(0, protocol_file.find_last_of('/') + 1);

	auryn_init(ac, av, av[2], "stp_connection", "", WARNING, WARNING);
	sys->quiet = true;

	vh::Protocol p(protocol_file);
	const AurynTime n_steps = (AurynTime)p.integer("n_steps");
	const AurynWeight weight = (AurynWeight)p.real("weight");
	std::vector<std::vector<std::string> > trains = p.all("train");
	std::vector<std::vector<std::string> > sets = p.all("set");

	std::vector<Pair> pairs;
	for (size_t t = 0; t < trains.size(); ++t) {
		for (size_t s = 0; s < sets.size(); ++s) {
			Pair P;
			P.name = trains[t].at(0) + "_" + sets[s].at(0);
			P.src = new FileInputGroup(1, base + trains[t].at(1));
			P.dst = new AdExGroup(1);
			P.con = new ProbeSTP(P.src, P.dst, weight);
			P.con->set_tau_d(std::stod(sets[s].at(1)));
			P.con->set_tau_f(std::stod(sets[s].at(2)));
			P.con->set_ujump(std::stod(sets[s].at(3)));
			P.con->set_f(std::stod(sets[s].at(4)));
			P.con->set_target("g_stp");
			P.target = P.dst->get_state_vector("g_stp");
			P.rec = new AttributeRecorder(P.src);
			pairs.push_back(P);
		}
	}
	// delay probe onto a real conductance
	FileInputGroup * d_src = NULL;
	AdExGroup * d_dst = NULL;
	for (size_t t = 0; t < trains.size(); ++t) {
		if (trains[t].at(0) != "regular_bursts") continue;
		for (size_t s = 0; s < sets.size(); ++s) {
			if (sets[s].at(0) != "STD") continue;
			d_src = new FileInputGroup(1, base + trains[t].at(1));
			d_dst = new AdExGroup(1);
			ProbeSTP * c = new ProbeSTP(d_src, d_dst, weight);
			c->set_tau_d(std::stod(sets[s].at(1)));
			c->set_tau_f(std::stod(sets[s].at(2)));
			c->set_ujump(std::stod(sets[s].at(3)));
			c->set_f(std::stod(sets[s].at(4)));
			c->set_target("g_ampa");
		}
	}
	std::vector<float> d_g;
	vh::SpikeRecorder * d_rec = d_src ? new vh::SpikeRecorder(d_src) : NULL;

	for (size_t j = 0; j < pairs.size(); ++j) {
		pairs[j].u.push_back(pairs[j].con->u());
		pairs[j].x.push_back(pairs[j].con->x());
	}
	if (d_dst) d_g.push_back(d_dst->g_ampa->get(0));

	for (AurynTime k = 0; k < n_steps; ++k) {
		vh::run_steps(1);
		for (size_t j = 0; j < pairs.size(); ++j) {
			Pair & P = pairs[j];
			P.u.push_back(P.con->u());
			P.x.push_back(P.con->x());
			const float g = P.target->get(0);
			if (g != 0.f) {
				P.delivered_steps.push_back((int64_t)k);
				P.delivered_amount.push_back(g);
				P.target->set(0, 0.f);
			}
		}
		if (d_dst) d_g.push_back(d_dst->g_ampa->get(0));
	}

	for (size_t j = 0; j < pairs.size(); ++j) {
		Pair & P = pairs[j];
		const std::string pre = out + "stp_" + P.name + "_";
		vh::write_npy(pre + "u.npy", P.u, P.u.size(), 1);
		vh::write_npy(pre + "x.npy", P.x, P.x.size(), 1);
		vh::write_npy(pre + "spike_steps.npy", P.rec->steps, P.rec->steps.size(), 1);
		vh::write_npy(pre + "attribute.npy", P.rec->attrib, P.rec->attrib.size(), 1);
		vh::write_npy(pre + "delivered_steps.npy", P.delivered_steps, P.delivered_steps.size(), 1);
		vh::write_npy(pre + "delivered_amount.npy", P.delivered_amount, P.delivered_amount.size(), 1);
		std::vector<double> c;
		c.push_back(P.con->tau_d);
		c.push_back(P.con->tau_f);
		c.push_back(P.con->Ujump);
		c.push_back(weight);
		c.push_back((double)P.con->get_nonzero());
		vh::write_npy(pre + "consts.npy", c, 1, c.size());
	}
	if (d_dst) {
		vh::write_npy(out + "stp_delayprobe_g_ampa.npy", d_g, d_g.size(), 1);
		vh::write_spikes(out + "stp_delayprobe_in", *d_rec);
	}
	auryn_free();
	return 0;
}
