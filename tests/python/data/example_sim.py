"""The tests' version of mosaik's tutorial simulator: models whose `val` grows by `delta` each step."""

import mosaik_api_v3

META = {
    "type": "hybrid",
    "models": {
        "ExampleModel": {
            "public": True,
            "params": ["init_val"],
            "attrs": ["delta", "val"],
            "trigger": ["delta"],
        },
    },
}


class Model:
    def __init__(self, init_val=0):
        self.val = init_val
        self.delta = 1

    def step(self):
        self.val += self.delta


class ExampleSim(mosaik_api_v3.Simulator):
    def __init__(self):
        super().__init__(META)
        self.eid_prefix = "Model_"
        self.entities = {}
        self.time = 0

    def init(self, sid, time_resolution, eid_prefix=None):
        if float(time_resolution) != 1.0:
            raise ValueError(f"ExampleSim only supports time_resolution=1., but {time_resolution} was set.")
        if eid_prefix is not None:
            self.eid_prefix = eid_prefix
        return self.meta

    def create(self, num, model, init_val):
        first = len(self.entities)
        created = []
        for i in range(first, first + num):
            eid = f"{self.eid_prefix}{i}"
            self.entities[eid] = Model(init_val)
            created.append({"eid": eid, "type": model})
        return created

    def step(self, time, inputs, max_advance):
        self.time = time
        for eid, model in self.entities.items():
            if eid in inputs:
                for values in inputs[eid].values():
                    model.delta = sum(values.values())
            model.step()
        return time + 1

    def get_data(self, outputs):
        data = {"time": self.time}
        for eid, attrs in outputs.items():
            model = self.entities[eid]
            data[eid] = {}
            for attr in attrs:
                if attr not in META["models"]["ExampleModel"]["attrs"]:
                    raise ValueError(f"Unknown output attribute: {attr}")
                data[eid][attr] = getattr(model, attr)
        return data


if __name__ == "__main__":
    mosaik_api_v3.start_simulation(ExampleSim())
