"""The tests' controller: an agent per model that turns its delta around when |val| reaches 3."""

import mosaik_api_v3

META = {
    "type": "event-based",
    "models": {"Agent": {"public": True, "params": [], "attrs": ["val_in", "delta"]}},
}


class Controller(mosaik_api_v3.Simulator):
    def __init__(self):
        super().__init__(META)
        self.agents = []
        self.data = {}
        self.time = 0

    def create(self, num, model):
        first = len(self.agents)
        created = []
        for i in range(first, first + num):
            eid = f"Agent_{i}"
            self.agents.append(eid)
            created.append({"eid": eid, "type": model})
        return created

    def step(self, time, inputs, max_advance):
        self.time = time
        data = {}
        for agent, values in inputs.items():
            deltas = values.get("delta", {})
            if deltas:
                data[agent] = {"delta": list(deltas.values())[0]}
                continue
            vals = values.get("val_in", {})
            if len(vals) != 1:
                raise RuntimeError(f'Only one ingoing connection allowed per agent, but "{agent}" has {len(vals)}.')
            value = list(vals.values())[0]
            if value >= 3:
                data[agent] = {"delta": -1}
            elif value <= -3:
                data[agent] = {"delta": 1}
        self.data = data
        return None

    def get_data(self, outputs):
        data = {}
        for agent, attrs in outputs.items():
            if agent not in self.data:
                continue
            for attr in attrs:
                if attr != "delta":
                    raise ValueError(f'Unknown output attribute "{attr}"')
                data["time"] = self.time
                data.setdefault(agent, {})[attr] = self.data[agent][attr]
        return data


if __name__ == "__main__":
    mosaik_api_v3.start_simulation(Controller())
