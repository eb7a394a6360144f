// Reference driver: replays given rasters through a FileInputGroup into Auryn's
// BurstRateMonitor and records what it counts.
//
// Usage: burst_monitor_replay PROTOCOL_FILE OUT_DIR
//
// Protocol keys: "raster <name> <file> <n_neurons> <n_steps> [b1 b2 ...]" (file lines
// "time_s neuron"; optional binsizes for this raster only), "binsizes b1 b2 ..." (seconds).
// All replays run for the largest n_steps.
//
// For every (raster, binsize) pair a separate FileInputGroup plays the raster (two monitors on
// one group would share the "_burst_state" vector and steal each other's bursts) into one
// BurstRateMonitor, whose output file is written with 17 significant digits. Around the monitor
// two recorder devices capture, for every replayed spike: the emission step, the neuron, the
// 16 ms post trace value the monitor compared with exp(-1) (the trace is updated later in the
// step, in evolve_connections), and the monitor's "_burst_state" before and after it handled the
// spike. A SpikeMonitor on the replayed group writes Auryn's own raster of the emitted spikes.

#include "harness.h"

#include <iomanip>

using namespace auryn;

// BurstRateMonitor writing its rates with full precision (Monitor::outfile is protected).
class PreciseBurstRateMonitor : public BurstRateMonitor
{
public:
	PreciseBurstRateMonitor(SpikingGroup * s, std::string fn, AurynDouble bin) : BurstRateMonitor(s, fn, bin)
	{
		outfile << std::setprecision(17);
	}
};

class SpikeStateRecorder : public Device
{
public:
	SpikingGroup * src;
	AurynStateVector * trace;
	AurynStateVector * state;
	std::vector<int64_t> steps, ids;
	std::vector<float> trace_val, state_val;
	SpikeStateRecorder(SpikingGroup * s, AurynStateVector * tr, AurynStateVector * st)
		: Device(), src(s), trace(tr), state(st)
	{
		sys->register_device(this);
	}
	virtual void execute()
	{
		SpikeContainer * sc = src->get_spikes_immediate();
		for (SpikeContainer::const_iterator it = sc->begin(); it != sc->end(); ++it) {
			steps.push_back((int64_t)sys->get_clock());
			ids.push_back((int64_t)*it);
			trace_val.push_back(trace ? trace->get(*it) : 0.f);
			state_val.push_back(state ? state->get(*it) : 0.f);
		}
	}
};

struct Replay
{
	std::string tag;
	FileInputGroup * src;
	PreciseBurstRateMonitor * brm;
	SpikeStateRecorder * pre;
	SpikeStateRecorder * post;
	AurynTime n_steps;
};

int main(int ac, char * av[])
{
	if (ac < 3) {
		std::cerr << "usage: burst_monitor_replay PROTOCOL_FILE OUT_DIR" << std::endl;
		return 2;
	}
	const std::string protocol_file = av[1];
	const std::string out = std::string(av[2]) + "/";
	const std::string base = protocol_file.substr(0, protocol_file.find_last_of('/') + 1);

	auryn_init(ac, av, av[2], "burst_monitor_replay", "", WARNING, WARNING);
	sys->quiet = true;

	vh::Protocol p(protocol_file);
	std::vector<std::string> bins = p.one("binsizes");
	std::vector<std::vector<std::string> > rasters = p.all("raster");

	std::vector<Replay> reps;
	AurynTime n_steps = 0;
	for (size_t r = 0; r < rasters.size(); ++r) {
		const std::string name = rasters[r].at(0);
		const std::string file = base + rasters[r].at(1);
		const NeuronID n = (NeuronID)std::stoul(rasters[r].at(2));
		const AurynTime steps = (AurynTime)std::stoul(rasters[r].at(3));
		n_steps = std::max(n_steps, steps);
		std::vector<std::string> rbins(rasters[r].begin() + 4, rasters[r].end());
		if (rbins.empty()) rbins = bins;
		for (size_t b = 0; b < rbins.size(); ++b) {
			Replay R;
			std::ostringstream tag;
			tag << name << "_bin" << b;
			R.tag = tag.str();
			R.n_steps = steps;
			R.src = new FileInputGroup(n, file);
			// trace and state are created by the monitor; the "pre" recorder gets them below
			R.pre = new SpikeStateRecorder(R.src, NULL, NULL);
			R.brm = new PreciseBurstRateMonitor(R.src, sys->fn("brate_" + R.tag, "txt"), std::stod(rbins[b]));
			AurynStateVector * tr = R.src->get_post_trace(16e-3);
			R.pre->trace = tr;
			R.pre->state = R.brm->burst_state;
			R.post = new SpikeStateRecorder(R.src, tr, R.brm->burst_state);
			new SpikeMonitor(R.src, sys->fn("replay_" + R.tag, "ras"));
			reps.push_back(R);
		}
	}

	vh::run_steps(n_steps);

	for (size_t j = 0; j < reps.size(); ++j) {
		Replay & R = reps[j];
		const std::string pre = out + "burst_" + R.tag + "_";
		vh::write_npy(pre + "spike_steps.npy", R.pre->steps, R.pre->steps.size(), 1);
		vh::write_npy(pre + "spike_ids.npy", R.pre->ids, R.pre->ids.size(), 1);
		vh::write_npy(pre + "trace_seen.npy", R.pre->trace_val, R.pre->trace_val.size(), 1);
		vh::write_npy(pre + "state_before.npy", R.pre->state_val, R.pre->state_val.size(), 1);
		vh::write_npy(pre + "state_after.npy", R.post->state_val, R.post->state_val.size(), 1);
	}
	std::vector<double> c;
	c.push_back(std::exp(-1.0));
	c.push_back((double)(AurynState)std::exp(-1.0));
	c.push_back((double)(AurynFloat)std::exp(-auryn_timestep / (AurynFloat)16e-3));
	c.push_back(auryn_timestep);
	vh::write_npy(out + "burst_consts.npy", c, 1, c.size());
	auryn_free();
	return 0;
}
