"""Golden scores: the semantic and alignment scores of a few fixed tasks computed independently
with Python onnxruntime (`consistency.py`: same model files, tokenizer, segmentation and premise
rules as the Rust engine). The Rust tests (`offchain-worker/tests/engine.rs`) check the engine
against the recorded file.

    python golden.py > ../tests/golden.json
"""
import json

import common
import consistency

SOURCE = " ".join([
    "The city council of Riverton met on Tuesday evening to debate the future of its transport network.",
    "After four hours of discussion, members voted nine to two to expand the bike lane network by 40 kilometres over the next three years.",
    "The plan, drafted by the transport department, cites safety data showing that collisions involving cyclists fell by a third on streets that already have protected lanes.",
    "Cycling numbers have also risen steadily, with automatic counters recording 2.1 million trips last year, up from 1.4 million five years earlier.",
    "Opponents argued that the lanes would remove parking spaces from the main shopping street and hurt local businesses.",
    "The council answered that 300 new parking spaces will be built in two garages near the market square before any lane is painted.",
    "The first 12 kilometres, connecting the university to the central station, are scheduled to open next spring.",
    "The project will cost 18 million euros, two thirds of it paid by a national grant for sustainable transport.",
    "The mayor, Elena Brandt, said the vote was a turning point for the city and promised monthly progress reports.",
    "A citizens' group that collected 5,000 signatures for safer streets welcomed the decision but asked for lower speed limits as well.",
    "Work on the remaining sections will be tendered in autumn, and the council will review the budget each year.",
    "Local shop owners have been invited to a meeting next week to discuss delivery zones along the new lanes.",
])

TASKS = [
    {"family": "qa", "query": "What is the capital of France?", "reference": "Paris is the capital of France.",
     "outputs": ["The capital of France is Paris.", "Bananas are rich in potassium.", "I think it is Lyon."]},
    {"family": "summarization",
     "query": "Summarize: The city council voted on Tuesday to expand the bike lane network by 40 kilometres over three years, citing safety data and rising cycling numbers.",
     "reference": None,
     "outputs": ["The council approved 40 km of new bike lanes over three years for safety reasons.",
                 "Council expands bike lanes by 40 km, citing safety and more cyclists.",
                 "The weather on Tuesday was sunny and warm."]},
    {"family": "code", "query": "Write a Python function that returns the square of a number.", "reference": None,
     "outputs": ["def square(x):\n    return x * x"]},
    {"family": "summarization", "query": "Summarize the following article. " + SOURCE, "reference": None,
     "outputs": ["Riverton's council voted 9-2 to add 40 km of bike lanes over three years. The first 12 km open next spring. "
                 "The 18 million euro project is mostly funded by a national grant, and 300 parking spaces will be built first.",
                 "Riverton's council rejected a plan for new bike lanes after shop owners protested. "
                 "The mayor resigned and the national grant was withdrawn.",
                 "",
                 "Bike bike bike bike bike bike bike bike bike bike bike bike."]},
]


def main():
    engine = consistency.Engine(common.models_dir())
    out = []
    for t in TASKS:
        scores = engine.score_task(t["query"], t["reference"], t["outputs"], batch=1)
        out.append({**t, "scores": [{"semantic": round(s, 6), "alignment": round(a, 6)} for s, a in scores]})
    print(json.dumps({"generated_by": "offchain-worker/python/golden.py (Python onnxruntime)", "tasks": out}, indent=1))


if __name__ == "__main__":
    main()
