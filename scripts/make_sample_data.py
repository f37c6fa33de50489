#!/usr/bin/env python3
"""Writes trev's sample_data/: small trajectory files in every format trev reads, plus the
nasty inputs it must survive. Deterministic: running it twice gives the same bytes."""
import gzip
import json
import os
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sample_data")

OS_PROMPT = ("You are an assistant that will act like a person, I'will play the role of linux(ubuntu) "
             "operating system. Your goal is to implement the operations required by me or answer "
             "the question proposed by me. For each of your turn, you should first think what you "
             "should do, and then take exact one of the three actions: \"bash\", \"finish\" or \"answer\".")
DB_PROMPT = ("I will ask you a question, then you should help me operate a MySQL database with SQL to "
             "answer the question.\nYou have to explain the problem and your solution to me and write "
             "down your thoughts.")
ALF_PROMPT = ("Interact with a household to solve a task. Imagine you are an intelligent agent in a "
              "household environment. For each of your turn, you will be given the observation of the "
              "last turn. The available actions are: go to {recep}, take {obj} from {recep}, ...\n"
              "Your response should use the following format:\n\nTHOUGHT: your thoughts.\n ACTION: your next action\n")
TITLE = "\u001b]0;root@4f1c2a9b7d10: /\u0007root@4f1c2a9b7d10:/# "


def write(name, text, mode="w"):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(text)


def dumps(obj, **kw):
    return json.dumps(obj, ensure_ascii=False, **kw)


def os_demo():
    return [
        {"from": "human", "loss": None, "value": OS_PROMPT},
        {"from": "gpt", "loss": False, "value": "Think: I should count the lines of the file.\n\nAct: bash\n\n```bash\nwc -l /etc/hosts\n```"},
        {"from": "human", "loss": None, "value": "The output of the OS:\n7 /etc/hosts"},
        {"from": "gpt", "loss": False, "value": "Think: The file has 7 lines.\n\nAct: answer(7)"},
    ]


def sharegpt_os():
    rows = []
    # A clean row, with the terminal noise AgentInstruct's OS observations carry.
    conv = os_demo() + [
        {"from": "human", "loss": None, "value": "Now, I will start a new problem in a new OS. My problem is:\n\nHow many users have a login shell of /bin/bash?"},
        {"from": "gpt", "loss": True, "value": "Think: I need to look at /etc/passwd.\n\nAct: bash\n\n```bash\ngrep -c ':/bin/bash$' /etc/passwd\n```"},
        {"from": "human", "loss": None, "value": "The output of the OS:\n\n2\r\n" + TITLE + "\u001b[K"},
        {"from": "gpt", "loss": True, "value": "Think: Two users use bash.\n\nAct: answer(2)"},
    ]
    rows.append({"id": "os_1", "conversations": conv})
    # An invalid action and a repeated command.
    conv = os_demo() + [
        {"from": "human", "loss": None, "value": "Now, I will start a new problem in a new OS. My problem is:\n\nWhat is the size of /var/log in kilobytes?"},
        {"from": "gpt", "loss": True, "value": "Think: du gives the size.\n\nAct: bash\n\n```bash\ndu -sk /var/log\n```"},
        {"from": "human", "loss": None, "value": "The output of the OS:\n\n\u001b[01;31m\u001b[K4120\u001b[m\u001b[K\t/var/log\r\n" + TITLE},
        {"from": "gpt", "loss": True, "value": "Think: du gives the size.\n\nAct: bash\n\n```bash\ndu -sk /var/log\n```"},
        {"from": "human", "loss": None, "value": "The output of the OS:\n\n4120\t/var/log\r\n" + TITLE},
        {"from": "gpt", "loss": True, "value": "The size is 4120.\n\nAct: answer 4120"},
    ]
    rows.append({"id": "os_2", "conversations": conv})
    write("agentinstruct_os.json", dumps(rows, indent=2) + "\n")


def role_content_db():
    lines = []
    for i, (question, sql, result, answer) in enumerate([
        ("What is the highest salary in the staff table?", "SELECT MAX(salary) FROM staff;", "[(98000,)]", '["98000"]'),
        ("How many orders were placed in 2021?", "SELECT COUNT(*) FROM orders WHERE YEAR(placed) = 2021;", "[(412,)]", '["412"]'),
    ]):
        conv = [
            {"role": "user", "content": DB_PROMPT},
            {"role": "assistant", "content": "Ok."},
            {"role": "user", "content": question + "\nTable information: {...}"},
            {"role": "assistant", "content": f"I will query the table.\nAction: Operation\n```sql\n{sql}\n```"},
            {"role": "user", "content": result},
            {"role": "assistant", "content": f"The answer is {answer}.\nAction: Answer\nFinal Answer: {answer}"},
        ]
        lines.append(dumps({"id": f"db_{i + 10}", "conversations": conv}))
    # A row that ends on an SQL error without a final answer.
    conv = [
        {"role": "user", "content": DB_PROMPT},
        {"role": "assistant", "content": "Ok."},
        {"role": "user", "content": "Update the price of item 7 to 12.5."},
        {"role": "assistant", "content": "Action: Operation\n```sql\nUPDATE items SET price = 12.5 WHERE id = 7;\n```"},
        {"role": "user", "content": "1146 (42S02): Table 'shop.items' doesn't exist"},
    ]
    lines.append(dumps({"id": "db_12", "conversations": conv}))
    write("agentinstruct_db.jsonl", "\n".join(lines) + "\n")


def alfworld():
    conv = [
        {"role": "user", "content": ALF_PROMPT},
        {"role": "assistant", "content": "OK. I'll follow your instructions and try my best to solve the task."},
        {"role": "user", "content": "Here is your task. You are in the middle of a room. Looking quickly around you, you see a desk 1, a drawer 1, and a shelf 1.\nYour task is to: put a pen in drawer."},
        {"role": "assistant", "content": "THOUGHT: The pen is probably on the desk.\n ACTION: go to desk 1"},
        {"role": "user", "content": "On the desk 1, you see a pen 1, and a lamp 1."},
        {"role": "assistant", "content": "ACTION: pick up pen 1"},
        {"role": "user", "content": "Nothing happens."},
        {"role": "assistant", "content": "ACTION: take pen 1 from desk 1"},
        {"role": "user", "content": "You pick up the pen 1 from the desk 1."},
        {"role": "assistant", "content": "ACTION: go to drawer 1"},
        {"role": "user", "content": "The drawer 1 is closed."},
        {"role": "assistant", "content": "ACTION: open drawer 1"},
        {"role": "user", "content": "You open the drawer 1. The drawer 1 is open. In it, you see nothing."},
        {"role": "assistant", "content": "ACTION: put pen 1 in/on drawer 1"},
    ]
    write("alfworld.json", dumps([{"id": "alfworld_7", "conversations": conv}], indent=1) + "\n")


def openai_tools():
    tools = [
        {"type": "function", "function": {"name": "run_shell", "description": "Run a shell command",
                                           "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}, "required": ["cmd"]}}},
        {"type": "function", "function": {"name": "read_file", "description": "Read a file",
                                           "parameters": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}}},
    ]
    rows = [
        {"id": "tools-1", "tools": tools, "messages": [
            {"role": "system", "content": "You are a careful coding agent."},
            {"role": "user", "content": [{"type": "text", "text": "Find the Python version used by the project."}]},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "read_file", "arguments": "{\"path\": \".python-version\"}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "3.11.7\n"},
            {"role": "assistant", "content": "The project uses Python 3.11.7."},
        ], "resolved": True},
        {"id": "tools-2", "tools": tools, "messages": [
            {"role": "user", "content": "List the files in /tmp."},
            {"role": "assistant", "content": "", "tool_calls": [{"id": "call_a", "type": "function", "function": {"name": "list_dir", "arguments": "{\"path\": \"/tmp\"}"}}]},
            {"role": "tool", "tool_call_id": "call_a", "content": "Error: unknown tool list_dir"},
            {"role": "assistant", "content": "", "tool_calls": [{"id": "call_b", "type": "function", "function": {"name": "run_shell", "arguments": "{\"cmd\": \"ls /tmp\""}}]},
            {"role": "tool", "tool_call_id": "call_b", "content": "Error: could not parse arguments"},
            {"role": "assistant", "content": "", "tool_calls": [{"id": "call_c", "type": "function", "function": {"name": "run_shell", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "call_c", "content": "Error: missing required parameter cmd"},
        ], "resolved": False},
        {"id": "react-1", "messages": [
            {"role": "user", "content": "Question: Which river is longer, the Danube or the Rhine?"},
            {"role": "assistant", "content": "Thought: I should look up both rivers.\nAction: search[Danube]"},
            {"role": "user", "content": "Observation: The Danube is 2,850 km long."},
            {"role": "assistant", "content": "Thought: Now the Rhine.\nAction: search[Rhine]"},
            {"role": "user", "content": "Observation: The Rhine is 1,230 km long."},
            {"role": "assistant", "content": "Thought: The Danube is longer.\nAction: finish[Danube]"},
        ]},
    ]
    write("openai_messages.jsonl", "".join(dumps(r) + "\n" for r in rows))


def glaive():
    tools = json.dumps([{"name": "convert_currency", "parameters": {"type": "object", "properties": {"amount": {"type": "number"}, "to": {"type": "string"}}, "required": ["amount", "to"]}}])
    rows = [{"conversations": [
        {"from": "human", "value": "How much is 100 dollars in euros?"},
        {"from": "function_call", "value": json.dumps({"name": "convert_currency", "arguments": {"amount": 100, "to": "EUR"}})},
        {"from": "observation", "value": json.dumps({"converted": 92.4, "currency": "EUR"})},
        {"from": "gpt", "value": "100 dollars are about 92.40 euros."},
    ], "tools": tools}]
    write("glaive_toolcall.json", dumps(rows, indent=2) + "\n")


def swe_agent():
    traj = {
        "environment": "swe_main",
        "trajectory": [
            {"action": "ls\n", "observation": "README.md\nsrc\ntests", "response": "Let me look around.\n```\nls\n```", "thought": "Let me look around.\n", "state": "{\"open_file\": \"n/a\", \"working_dir\": \"/repo\"}"},
        ],
        "history": [
            {"role": "system", "content": "SETTING: You are an autonomous programmer working in a repository.", "agent": "primary"},
            {"role": "user", "content": "Here is a demonstration of how to solve a task.", "agent": "primary", "is_demo": True},
            {"role": "assistant", "content": "Demo step.\n```\nfind_file x.py\n```", "agent": "primary", "is_demo": True},
            {"role": "user", "content": "We're currently solving the following issue within our repository: the parser drops the last line.\n(Open file: n/a)\n(Current directory: /repo)\nbash-$", "agent": "primary"},
            {"role": "assistant", "content": "Let me look around.\n```\nls\n```", "thought": "Let me look around.\n", "action": "ls\n", "agent": "primary"},
            {"role": "user", "content": "README.md\nsrc\ntests\n(Open file: n/a)\n(Current directory: /repo)\nbash-$", "agent": "primary"},
            {"role": "assistant", "content": "Submitting.\n```\nsubmit\n```", "thought": "Submitting.\n", "action": "submit\n", "agent": "primary"},
        ],
        "info": {"exit_status": "submitted", "submission": "diff --git a/src/p.py b/src/p.py\n"},
    }
    write("swe_agent.traj", dumps(traj, indent=2) + "\n")


def mini_swe():
    traj = {"info": {"exit_status": "Submitted", "submission": "", "model_stats": {"instance_cost": 0.01, "api_calls": 2}},
            "messages": [
                {"role": "system", "content": "You are a helpful assistant that can interact with a computer."},
                {"role": "user", "content": "Please solve this issue: add a --verbose flag."},
                {"role": "assistant", "content": "THOUGHT: Find the CLI entry point.\n\n```bash\ngrep -rn argparse src | head\n```"},
                {"role": "user", "content": "<returncode>0</returncode>\n<output>\nsrc/cli.py:3:import argparse\n</output>"},
                {"role": "assistant", "content": "THOUGHT: Done.\n\n```bash\necho COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT\n```"},
            ],
            "trajectory_format": "mini-swe-agent-1"}
    write("mini_swe_agent.json", dumps(traj, indent=2) + "\n")


def atif():
    traj = {"schema_version": "ATIF-v1.5", "session_id": "atif-sample-1",
            "agent": {"name": "sample-agent", "version": "0.1", "tool_definitions": [{"name": "bash", "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}, "required": ["cmd"]}}]},
            "steps": [
                {"step_id": 1, "source": "user", "message": "Create hello.txt containing 'hi'."},
                {"step_id": 2, "source": "agent", "message": "I will write the file.", "tool_calls": [{"tool_call_id": "c1", "function_name": "bash", "arguments": {"cmd": "echo hi > hello.txt"}}],
                 "observation": {"results": [{"source_call_id": "c1", "content": "root@box:/app# echo hi > hello.txt\n"}]}},
                {"step_id": 3, "source": "agent", "message": "Done: hello.txt contains 'hi'."},
            ],
            "final_metrics": {"total_steps": 3}}
    write("atif.trajectory.json", dumps(traj, indent=2) + "\n")


def agentbench():
    rows = []
    for i, status in enumerate(["completed", "agent invalid action", "task limit reached"]):
        history = [
            {"role": "user", "content": "You can call GET url, POST url payload or FINISH([answer]). What is the latest potassium value of patient P100?"},
            {"role": "agent", "content": "GET http://fhir/Observation?patient=P100&code=K"},
            {"role": "user", "content": "Here is the response from the GET request: {\"total\": 1, \"value\": 4.1}"},
        ]
        history.append({"role": "agent", "content": "FINISH([4.1])" if status == "completed" else "The value is 4.1.\n\nFINISH([4.1])"})
        rows.append({"index": i, "error": None if status == "completed" else "AGENT_FAILED", "info": None,
                     "output": {"index": i, "status": status, "result": "[4.1]", "history": history},
                     "time": {"timestamp": 1737150789165 + i, "str": "2025-01-17 13:53:09"}})
    write("agentbench_runs.jsonl", "".join(dumps(r) + "\n" for r in rows))


def fireact():
    dump = {
        "q17": {"reward": True, "em": True, "f1": 1.0, "gt": "paris", "pred": "paris", "prompt": "",
                "traj": [{"role": "user", "content": "Question: What is the capital of France?"},
                         {"role": "assistant", "content": "Thought: I know this.\nAction: finish[Paris]"},
                         {"role": "user", "content": "Observation: Episode finished, reward = True"}]},
        "q18": {"reward": False, "em": False, "f1": 0.0, "gt": "1889", "pred": "1887", "prompt": "",
                "traj": [{"role": "user", "content": "Question: When was the Eiffel Tower finished?"},
                         {"role": "assistant", "content": "Thought: Let me guess.\nAction: finish[1887]"},
                         {"role": "user", "content": "Observation: Episode finished, reward = False"}]},
    }
    write("fireact_dump.json", dumps(dump, indent=2) + "\n")


def knowagent():
    rows = [{"name": "sample/pick_pen", "result": False, "traj": "You are in the middle of a room. Looking quickly around you, you see a desk 1.\nYour task is to: put a pen in drawer.\n> Think: The pen may be on the desk.\nOK.\n> go to desk 1\nOn the desk 1, you see a pen 1.\n> go to desk 1\nNothing happens.\n"}]
    write("knowagent.jsonl", "".join(dumps(r) + "\n" for r in rows))


def swe_rows():
    rows = [{"instance_id": "sample__repo-1", "model_name": "sample-model", "target": False, "exit_status": "exit_cost",
             "generated_patch": "", "eval_logs": "",
             "trajectory": [
                 {"role": "system", "text": None, "system_prompt": "SETTING: you are an autonomous programmer.", "mask": False, "cutoff_date": None},
                 {"role": "user", "text": "Fix the off-by-one error in range_sum.", "system_prompt": None, "mask": False, "cutoff_date": None},
                 {"role": "ai", "text": "Let me open the file.\n```\nopen src/range.py\n```", "system_prompt": None, "mask": True, "cutoff_date": None},
                 {"role": "user", "text": "[File: src/range.py (12 lines total)]", "system_prompt": None, "mask": False, "cutoff_date": None},
             ]}]
    write("swe_agent_rows.json", dumps(rows, indent=2) + "\n")


def nasty():
    # Escape sequences that would take over a terminal if printed raw.
    evil = ("The output of the OS:\n\n\u001b]0;pwned title\u0007"
            "\u001b]52;c;ZXZpbCBjbGlwYm9hcmQ=\u0007"
            "\u001b[2J\u001b[H"
            "\u001b[200~pasted\u001b[201~"
            "\u001b[?1049l\u001b[?25l"
            "tab\there\r\ncarriage\rreturn\u0008\u0000nul")
    conv = os_demo() + [
        {"from": "human", "loss": None, "value": "Now, I will start a new problem in a new OS. My problem is:\n\nPrint the date."},
        {"from": "gpt", "loss": True, "value": "Think: date prints it.\n\nAct: bash\n\n```bash\ndate\n```"},
        {"from": "human", "loss": None, "value": evil},
        {"from": "gpt", "loss": True, "value": "Think: \u001b[31mred\u001b[0m is not a date.\n\nAct: finish"},
    ]
    write("nasty/escape_sequences.jsonl", dumps({"id": "os_escape", "conversations": conv}) + "\n")
    # A 1 MB observation.
    big = "The output of the OS:\n\n" + "".join(f"line {i:06d}: " + "x" * 48 + "\r\n" for i in range(17000))
    conv = os_demo() + [
        {"from": "human", "loss": None, "value": "Now, I will start a new problem in a new OS. My problem is:\n\nShow the big log."},
        {"from": "gpt", "loss": True, "value": "Think: cat it.\n\nAct: bash\n\n```bash\ncat /var/log/big.log\n```"},
        {"from": "human", "loss": None, "value": big},
        {"from": "gpt", "loss": True, "value": "Think: It is long.\n\nAct: answer(17000)"},
    ]
    write("nasty/big_observation.jsonl", dumps({"id": "os_big", "conversations": conv}) + "\n")
    # A malformed record in the middle, and a record of unknown shape.
    good = lambda i: dumps({"id": f"mid_{i}", "messages": [{"role": "user", "content": f"task {i}"}, {"role": "assistant", "content": "done"}]})
    write("nasty/malformed_middle.jsonl", good(1) + "\n" + good(2) + "\n" +
          '{"id": "mid_bad", "messages": [{"role": "user", "content": "unterminated}]\n' +
          '{"foo": 1, "bar": [2]}\n' + good(3) + "\n")
    # A torn last line (the writer died mid-record).
    write("nasty/torn_last_line.jsonl", good(10) + "\n" + good(11) + "\n" + good(12)[:40])
    # Invalid UTF-8 inside a string.
    write("nasty/invalid_utf8.jsonl",
          b'{"id": "utf8_1", "messages": [{"role": "user", "content": "caf\xe9 au lait"}, {"role": "assistant", "content": "ok \xff\xfe"}]}\n',
          mode="wb")
    # Empty files.
    write("nasty/empty.jsonl", "")
    write("nasty/whitespace_only.json", "\n  \n")
    # Gzip of a JSON array (mtime fixed so the bytes are reproducible).
    array = dumps([json.loads(good(20)), json.loads(good(21))], indent=1) + "\n"
    with open(os.path.join(OUT, "nasty", "compressed.json.gz"), "wb") as raw:
        with gzip.GzipFile(filename="compressed.json", mode="wb", fileobj=raw, mtime=0) as f:
            f.write(array.encode())


KG_PROMPT = ("You are an agent that answers questions based on the knowledge stored in a knowledge base. "
             "To achieve this, you can use the following tools to query the KB.\n1. get_relations(variable: var) -> list of relations\n"
             "2. get_neighbors(variable: var, relation: str) -> variable\nA variable can be an entity or a set of entities "
             "(i.e., the result of a previous query). You can only take ONE action at a time!! After you get the final answer, "
             "you should respond with 'Final Answer: #id'.")
WEBSHOP_PROMPT = ("You are web shopping.\nI will give you instructions about what to do.\nYou have to follow the instructions.\n"
                  "Every round I will give you an observation and a list of available actions, you have to respond an action "
                  "based on the state and instruction.\nYou can use search action if search is available.\nYou can click one of "
                  "the buttons in clickables.")
M2W_PAGE = ("'''\n<html> <div> <input id=1 text /> <button id=0>Search</button> </div> </html>\n'''\n\nBased on the HTML "
            "webpage above, try to complete the following task:\nTask: Get a quote for a $50,000 loan.\nPrevious actions:\nNone\n"
            "What should be the next action? Please select from the following choices (If the correct action is not in the "
            "page above, please select A. 'None of the above'):\n\nA. None of the above\nB. <button id=0>Search</button>\nC. <input id=1 text />")


def g(value, loss=True):
    return {"from": "gpt", "loss": loss, "value": value}


def h(value):
    return {"from": "human", "loss": None, "value": value}


def rule_defects():
    """Trajectories with the defects `trev check` finds, each where tests/rules_sample.rs expects it."""
    rows = []
    rows.append({"id": "os_90", "conversations": os_demo() + [
        h("Now, I will start a new problem in a new OS. My problem is:\n\nHow many files are in /srv?"),
        g("Think: I will count them.\n\nAct: bash\n\n```bash\nls /srv | wc -l\n```\n\nThe output of the OS:\n\n12"),
        h("The output of the OS:\n\n12"),
        g("Think: Let me check again.\n\nAct: bash"),
        h("The output of the OS is empty."),
        g("Think: Both at once.\n\nAct: bash\n\n```bash\nls /srv\n```\n\n```bash\npwd\n```\n\nAct: bash"),
        h("The output of the OS:\n\na b c d e f [truncated because the output is too long]"),
    ]})
    rows.append({"id": "db_90", "conversations": [
        h(DB_PROMPT), g("Ok.", loss=False),
        h("How many orders did customer 7 place? Table orders has columns id, customer_id."),
        g("I count them.\nAction: Operation\n```sql\nSELECT COUNT(*) FROM orders WHERE customer = 7\n```\n```sql\nSELECT 1\n```"),
        h("1054 (42S22): Unknown column 'customer' in 'where clause'"),
        g("I fix the column.\nAction: Operation\nSELECT COUNT(*) FROM orders WHERE customer_id = 7"),
        h("[]"),
        g("Now with the block.\nAction: Operation\n```sql\nSELECT COUNT(*) FROM orders WHERE customer_id = 7\n```\n[(3,)]"),
        h("[(3,)]"),
        g("Customer 7 placed 3 orders.\nAction: Answer\nFinal Answer: 3"),
    ]})
    rows.append({"id": "kg_90", "conversations": [
        h(KG_PROMPT), g("I've understood your instruction, start please.", loss=False),
        h("Question: who designed the Vulcain engine? \nEntities: [Vulcain]"),
        g("Thought: I look at its relations.\nAction: get_relations(Vulcain)\nAction: get_neighbors(Vulcain, designer)"),
        h("Observation: [spaceflight.rocket_engine.designed_by]"),
        g("Thought: I am not sure what to do."),
        h("No executable function found! Need to recheck the action."),
        g("Thought: Again.\nAction: get_relations(Vulcain)"),
        h("Observation: [spaceflight.rocket_engine.designed_by]"),
        g("Thought: Now the designer.\nAction: get_neighbors(Vulcain, spaceflight.rocket_engine.designed_by)\nObservation: variable #0, which are instances of organization"),
        h("Observation: variable #0, which are instances of organization"),
        g("Thought: #3 is the answer.\nFinal Answer: #3"),
    ]})
    rows.append({"id": "alfworld_90", "conversations": [
        h(ALF_PROMPT), g("OK. I'll follow your instructions and try my best to solve the task.", loss=False),
        h("Here is your task. You are in the middle of a room. Looking quickly around you, you see a desk 1 and a shelf 1.\n"
          "Your task is to: find a book. AVAILABLE ACTIONS: go to desk 1\ngo to shelf 1\nlook\n"),
        g("THOUGHT: I will think first."),
        h("OK. AVAILABLE ACTIONS: go to desk 1\ngo to shelf 1\nlook\n"),
        g("ACTION: fly to the moon"),
        h("Nothing happens."),
        g("ACTION: look"),
        h("You are in the middle of a room."),
        g("ACTION: look"),
        h("You are in the middle of a room."),
        g("ACTION: look"),
        g("ACTION: go to desk 1"),
    ]})
    rows.append({"id": "webshop_90", "conversations": [
        h(WEBSHOP_PROMPT), g("OK", loss=False),
        h("WebShop [SEP] Instruction: [SEP] i need a travel hair brush, price lower than 20.00 dollars [SEP] Search"),
        g("Thought:\nI think I should use the search bar.\n\nAction:\nsearch[travel hair brush]"),
        h("Instruction: [SEP] i need a travel hair brush [SEP] Back to Search [SEP] Page 1 (Total results: 1) [SEP] Next > [SEP] B08SW9W6YG [SEP] Folding travel hair brush [SEP] $9.99"),
        g("Thought:\nI think I should click the mirror.\n\nAction:\nclick[b00mirror]"),
        h("Instruction: [SEP] i need a travel hair brush [SEP] Back to Search [SEP] Page 1 (Total results: 1) [SEP] Next > [SEP] B08SW9W6YG [SEP] Folding travel hair brush [SEP] $9.99"),
        g("Thought:\nI think I should buy it now."),
    ]})
    rows.append({"id": "mind2web_90", "conversations": [
        h(M2W_PAGE),
        g("Thought: I need to enter the loan amount.\nAnswer: C.\nAction: SET\nValue: $50,000"),
        h(M2W_PAGE),
        g("Thought: Then search.\nAnswer: E.\nAction: CLICK"),
    ]})
    write("rule_defects.jsonl", "".join(dumps(r) + "\n" for r in rows))
    tools = [{"type": "function", "function": {"name": "read_file", "description": "Read a file",
                                                "parameters": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}}}]
    call = {"id": "call_r", "type": "function", "function": {"name": "read_file", "arguments": "{\"path\": \"notes.txt\"}"}}
    rows = [
        {"id": "react_90", "messages": [
            {"role": "user", "content": "Question: Which river is longer, the Danube or the Rhine?"},
            {"role": "assistant", "content": "Thought: I should look up the Danube.\nAction: search[Danube"},
            {"role": "user", "content": "Invalid Action. Valid Actions are Lookup[<topic>] Search[<topic>] and Finish[<answer>]."},
            {"role": "assistant", "content": "Thought: I will search the Rhine.\nAction: search[Rhine]\nObservation: The Rhine is 1,230 km long."},
            {"role": "user", "content": "Observation: The Rhine is 1,230 km long."},
        ]},
        {"id": "react_91", "messages": [
            {"role": "user", "content": "Question: Who wrote Dracula?"},
            {"role": "assistant", "content": "Thought: I know it.\nAction: search[Dracula]\nFinal Answer: Bram Stoker"},
            {"role": "user", "content": "Observation: Dracula is an 1897 novel by Bram Stoker."},
        ]},
        {"id": "chat_90", "messages": [
            {"role": "user", "content": "Can you help me plan a trip to Lisbon?"},
            {"role": "assistant", "content": "Sure: three days, starting in Alfama."},
            {"role": "user", "content": "thanks"},
            {"role": "assistant", "content": "You're welcome! Anything else?"},
            {"role": "user", "content": "no"},
            {"role": "assistant", "content": "Thank you, goodbye!"},
            {"role": "user", "content": "ok"},
            {"role": "assistant", "content": "agent context limit"},
        ]},
        {"id": "tools_90", "tools": tools, "messages": [
            {"role": "user", "content": "What is in notes.txt?"},
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "call_r", "content": "OBSERVATION:\nERROR:\nThe path notes.txt does not exist."},
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "call_r", "content": "OBSERVATION:\nERROR:\nThe path notes.txt does not exist."},
            {"role": "assistant", "content": "The file does not exist."},
        ]},
    ]
    write("rule_defects_chat.jsonl", "".join(dumps(r) + "\n" for r in rows))


def main():
    os.makedirs(OUT, exist_ok=True)
    for make in [sharegpt_os, role_content_db, alfworld, openai_tools, glaive, swe_agent, mini_swe,
                 atif, agentbench, fireact, knowagent, swe_rows, nasty, rule_defects]:
        make()


if __name__ == "__main__":
    sys.exit(main())
