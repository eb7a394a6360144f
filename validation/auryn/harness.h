// Small shared helpers for the Auryn reference drivers in this directory.
//
// Written for this project (not taken from Auryn or spikingburstprop). The drivers link
// against an Auryn build and only call its public API.
//
//  * run_steps(n): advances the Auryn clock by exactly n integration steps. System::run(float
//    seconds) converts its float argument with a truncating cast (run(0.005f) is 49 steps, and
//    run(1e-4f) is 0 steps) and the (start, stop) overload is private, so run_steps asks for
//    n + 1/2 steps' worth of seconds and checks the clock afterwards.
//  * SpikeRecorder: an Auryn Device that, in the device phase of every step, copies the spikes
//    the group emitted in that step (get_spikes_immediate) with the clock value of that step.
//  * write_npy: minimal .npy (format 1.0) writer, so that full-precision state is handed to
//    the Python converter without any text rounding.
//  * Protocol: a tiny line-based protocol reader (written by make_protocols.py).

#ifndef VALIDATION_HARNESS_H_
#define VALIDATION_HARNESS_H_

#include "auryn.h"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace vh {

using namespace auryn;

// ---------------------------------------------------------------------------- stepping
inline void run_steps(AurynTime n)
{
	if (n == 0) return;
	const AurynTime start = sys->get_clock();
	// System::run(AurynFloat t) runs (AurynTime)(t/auryn_timestep) steps (truncation); asking
	// for n + 1/2 steps makes the truncation land on n whatever the float rounding of t.
	sys->run((AurynFloat)((n + 0.5) * auryn_timestep), false);
	if (sys->get_clock() != start + n) throw std::runtime_error("run_steps: clock mismatch");
}

// ---------------------------------------------------------------------------- spikes
class SpikeRecorder : public Device
{
public:
	SpikingGroup * src;
	std::vector<int64_t> steps;
	std::vector<int64_t> ids;
	explicit SpikeRecorder(SpikingGroup * source) : Device(), src(source)
	{
		sys->register_device(this);
	}
	virtual void execute()
	{
		SpikeContainer * sc = src->get_spikes_immediate();
		for (SpikeContainer::const_iterator it = sc->begin(); it != sc->end(); ++it) {
			steps.push_back((int64_t)sys->get_clock());
			ids.push_back((int64_t)*it);
		}
	}
};

// ---------------------------------------------------------------------------- npy output
template <typename T> struct NpyType;
template <> struct NpyType<float> { static const char * descr() { return "<f4"; } };
template <> struct NpyType<double> { static const char * descr() { return "<f8"; } };
template <> struct NpyType<int64_t> { static const char * descr() { return "<i8"; } };

template <typename T>
void write_npy(const std::string & path, const std::vector<T> & data, size_t rows, size_t cols)
{
	if (rows * cols != data.size()) throw std::runtime_error("write_npy: shape mismatch for " + path);
	std::ostringstream hdr;
	hdr << "{'descr': '" << NpyType<T>::descr() << "', 'fortran_order': False, 'shape': (" << rows << ", " << cols << "), }";
	std::string h = hdr.str();
	const size_t preamble = 10;  // magic(6) + version(2) + header_len(2)
	size_t total = preamble + h.size() + 1;
	size_t pad = (64 - total % 64) % 64;
	h.append(pad, ' ');
	h.push_back('\n');
	std::ofstream f(path.c_str(), std::ios::binary);
	if (!f) throw std::runtime_error("cannot write " + path);
	const char magic[] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0};
	f.write(magic, 8);
	uint16_t len = (uint16_t)h.size();
	char lb[2] = {(char)(len & 0xff), (char)(len >> 8)};
	f.write(lb, 2);
	f.write(h.data(), h.size());
	if (!data.empty()) f.write(reinterpret_cast<const char *>(data.data()), sizeof(T) * data.size());
}

// Per-step recorder of several state vectors of one group: row 0 is the state before the first
// step, row n the state after n steps (time n*dt).
class StateTable
{
public:
	std::vector<std::string> names;
	std::vector<AurynStateVector *> vecs;
	std::vector<std::vector<float> > data;
	NeuronID n;
	StateTable(NeuronID n_) : n(n_) {}
	void add(const std::string & name, AurynStateVector * v)
	{
		if (v == NULL) throw std::runtime_error("StateTable: missing state " + name);
		names.push_back(name);
		vecs.push_back(v);
		data.push_back(std::vector<float>());
	}
	void sample()
	{
		for (size_t j = 0; j < vecs.size(); ++j)
			for (NeuronID i = 0; i < n; ++i) data[j].push_back(vecs[j]->get(i));
	}
	void write(const std::string & prefix) const
	{
		for (size_t j = 0; j < vecs.size(); ++j)
			write_npy(prefix + names[j] + ".npy", data[j], data[j].size() / n, n);
	}
};

inline void write_spikes(const std::string & prefix, const SpikeRecorder & r)
{
	write_npy(prefix + "_steps.npy", r.steps, r.steps.size(), 1);
	write_npy(prefix + "_ids.npy", r.ids, r.ids.size(), 1);
}

// ---------------------------------------------------------------------------- protocol file
// Lines: "<keyword> <fields...>", '#' starts a comment. The drivers interpret the keywords.
struct Protocol
{
	std::multimap<std::string, std::vector<std::string> > entries;
	explicit Protocol(const std::string & path)
	{
		std::ifstream f(path.c_str());
		if (!f) throw std::runtime_error("cannot open protocol " + path);
		std::string line;
		while (std::getline(f, line)) {
			size_t c = line.find('#');
			if (c != std::string::npos) line = line.substr(0, c);
			std::istringstream ss(line);
			std::string key, tok;
			if (!(ss >> key)) continue;
			std::vector<std::string> fields;
			while (ss >> tok) fields.push_back(tok);
			entries.insert(std::make_pair(key, fields));
		}
	}
	std::vector<std::vector<std::string> > all(const std::string & key) const
	{
		std::vector<std::vector<std::string> > out;
		typedef std::multimap<std::string, std::vector<std::string> >::const_iterator It;
		std::pair<It, It> r = entries.equal_range(key);
		for (It it = r.first; it != r.second; ++it) out.push_back(it->second);
		return out;
	}
	std::vector<std::string> one(const std::string & key) const
	{
		std::vector<std::vector<std::string> > a = all(key);
		if (a.size() != 1) throw std::runtime_error("protocol: expected exactly one '" + key + "'");
		return a[0];
	}
	long integer(const std::string & key) const { return std::stol(one(key).at(0)); }
	double real(const std::string & key) const { return std::stod(one(key).at(0)); }
};

// Piecewise-constant current segments: "current <neuron> <state> <start_step> <stop_step> <amps>"
// active for the steps start <= clock < stop. Non-overlapping per (neuron, state).
struct CurrentSegment
{
	NeuronID neuron;
	std::string state;
	AurynTime start, stop;
	double amps;
};

inline std::vector<CurrentSegment> read_segments(const Protocol & p)
{
	std::vector<CurrentSegment> segs;
	std::vector<std::vector<std::string> > a = p.all("current");
	for (size_t k = 0; k < a.size(); ++k) {
		CurrentSegment s;
		s.neuron = (NeuronID)std::stoul(a[k].at(0));
		s.state = a[k].at(1);
		s.start = (AurynTime)std::stoul(a[k].at(2));
		s.stop = (AurynTime)std::stoul(a[k].at(3));
		s.amps = std::stod(a[k].at(4));
		segs.push_back(s);
	}
	return segs;
}

}  // namespace vh

#endif
