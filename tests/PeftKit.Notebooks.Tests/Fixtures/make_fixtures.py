import json
def code(src, md=None, dialect="polyglot"):
    if md is None:
        md = {"polyglot": {"polyglot_notebook": {"kernelName": "csharp"}, "vscode": {"languageId": "polyglot-notebook"}},
              "dotnet": {"dotnet_interactive": {"language": "csharp"}},
              "none": {}}[dialect]
    return {"cell_type": "code", "execution_count": None, "metadata": md, "outputs": [], "source": src}
def mdc(src): return {"cell_type": "markdown", "metadata": {}, "source": src}
def lines(s): return [l for l in s.splitlines(True)]
def nb(cells, meta, minor=5, ids=True):
    if ids:
        for i, c in enumerate(cells): c["id"] = f"c{i}"
    return {"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": minor}
POLY_META = {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"},
             "language_info": {"name": "polyglot-notebook"},
             "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"aliases": [], "name": "csharp"}]}}}
cells = [
  mdc(lines("# Polyglot dialect\nSome *markdown*.\n")),
  code(lines("var x = 1 + 2;\nx")),
  code(lines('Console.WriteLine("hello");\nConsole.Error.WriteLine("oops");\nConsole.WriteLine("again");')),
  code(lines('var x = "now a string";\nx')),
  code(lines("class Foo { public int A => 1; }\nnew Foo().A")),
  code(lines("class Foo { public int A => 2; }\nnew Foo().A")),
  code(lines("// only a comment\n// another one\n")),
  code([]),
  code(lines('using System.IO;\nFile.WriteAllText("written.txt", "abc");\nFile.ReadAllText("data.txt").Trim()')),
  code(lines('var h = display("first");\nh.Update("second");')),
  code(lines('record Point(int X, int Y);\nFormatter.Register<Point>(p => $"P({p.X},{p.Y})", "text/plain");\nFormatter.SetPreferredMimeTypesFor(typeof(Point), "text/plain");\nnew Point(1, 2)')),
  code(lines("#!time\nvar sum = Enumerable.Range(1, 100).Sum();\nsum")),
  code(lines("string s = null;\ns")),
  code(lines("new[] { 1, 2, 3 }")),
  code(lines('Console.WriteLine("void trailing")')),
  code(lines('var t = new System.Threading.Thread(() => Console.WriteLine("from thread"));\nt.Start(); t.Join();\nawait Task.Run(() => Console.WriteLine("from task"));')),
  code(lines('HTML("<b>bold</b>")')),
]
json.dump(nb(cells, POLY_META), open("polyglot.ipynb", "w"), indent=1)
DOT_META = {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"},
            "language_info": {"file_extension": ".cs", "mimetype": "text/x-csharp", "name": "C#", "pygments_lexer": "csharp", "version": "9.0"}}
cells = [code("var a = 6 * 7;\na", dialect="dotnet"), mdc("text"), code('Console.WriteLine($"a = {a}");', dialect="dotnet")]
json.dump(nb(cells, DOT_META, minor=4, ids=False), open("dotnet-interactive.ipynb", "w"), indent=1)
cells = [code("var a = 6 * 7;\na", dialect="none"), code('Console.WriteLine($"a = {a}");', md={"vscode": {"languageId": "dotnet-interactive.csharp"}})]
json.dump(nb(cells, {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}}, minor=2, ids=False), open("bare-kernelspec.ipynb", "w"), indent=1)
json.dump(nb([code("var a = 6 * 7;\na", dialect="none"), code('Console.WriteLine($"a = {a}");', dialect="none")], {}, minor=2, ids=False), open("no-metadata.ipynb", "w"), indent=1)
json.dump(nb([code(lines("var ok = 1;\nok")), code(lines("int y = 1;\nundefinedName + y")), code("ok + 1")], POLY_META), open("compile-error.ipynb", "w"), indent=1)
json.dump(nb([code(lines("var ok = 1;")), code(lines('Console.WriteLine("before");\nthrow new InvalidOperationException("boom");')), code("ok + 1")], POLY_META), open("runtime-error.ipynb", "w"), indent=1)
json.dump(nb([code("1"), code(lines("System.Threading.Thread.Sleep(20000);")), code("2")], POLY_META), open("timeout.ipynb", "w"), indent=1)
json.dump(nb([code("1"), code(lines("#!fsharp\nlet x = 1")), code("2")], POLY_META), open("unknown-kernel.ipynb", "w"), indent=1)
json.dump(nb([code(lines('#r "nuget: Newtonsoft.Json"\nusing Newtonsoft.Json;\nJsonConvert.SerializeObject(new { A = 1 })'))], POLY_META), open("nuget.ipynb", "w"), indent=1)
open("malformed.ipynb", "w").write('{"cells": [ {"cell_type": "code", "source": "x" ,, ], "nbformat": 4}')
open("data.txt", "w").write("from data file\n")
json.dump(nb([mdc("# Chart"), code(lines('#r "nuget: Plotly.NET.CSharp, 0.14.0"\nPlotly.NET.CSharp.Chart.Line<int, int, string>(x: new[] { 1, 2, 3 }, y: new[] { 4, 1, 9 })'))], POLY_META), open("chart.ipynb", "w"), indent=1)
# A cell that outlives its timeout and keeps writing (stdout and display) for 30 s; and a notebook run right after it.
json.dump(nb([code("1"), code(lines('for (int i = 0; i < 300; i++)\n{\n    System.Threading.Thread.Sleep(100);\n    Console.WriteLine("late");\n    display("late display");\n}')), code("2")], POLY_META), open("timeout-late.ipynb", "w"), indent=1)
json.dump(nb([code(lines('System.Threading.Thread.Sleep(1000);\nConsole.WriteLine("mine");'))], POLY_META), open("after-timeout.ipynb", "w"), indent=1)
# #load of a .csx beside the notebook (a method and a variable), and of a missing file.
open("helper.csx", "w").write('int Twice(int x) => x * 2;\nvar loaded = "from helper";\n')
json.dump(nb([code(lines('#load "helper.csx"\nTwice(21)')), code("loaded")], POLY_META), open("load.ipynb", "w"), indent=1)
json.dump(nb([code(lines('#load "missing.csx"\n1'))], POLY_META), open("load-missing.ipynb", "w"), indent=1)
# #i "nuget: <folder>" then a package that only that folder holds (the test builds the .nupkg).
json.dump(nb([code(lines('#i "nuget: feed"\n#r "nuget: PeftKit.LocalFeedTest, 1.0.0"\nPeftKit.LocalFeedTest.Answer.Value'))], POLY_META), open("local-feed.ipynb", "w"), indent=1)
json.dump(nb([code(lines('#r "nuget: PeftKit.LocalFeedTest, 1.0.0"\nPeftKit.LocalFeedTest.Answer.Value'))], POLY_META), open("local-feed-no-source.ipynb", "w"), indent=1)
# A notebook exported with `kit export --to cs` and run with `dotnet run`: every construct the export maps.
json.dump(nb([
  mdc(lines("# Export fixture\nSome *markdown* that becomes a comment.\n")),
  code(lines('#r "nuget: Newtonsoft.Json, 13.0.3"\nusing Newtonsoft.Json;\nusing System.IO;\nvar x = 1 + 2;\nx')),
  code(lines('Console.WriteLine($"x squared = {x * x}");')),
  code(lines('var x = "now a string";\nx.Length')),
  code(lines('var total = 0;\nfor (int i = 1; i <= 10; i++)\n    total += i;\ntotal')),
  code(lines('var i = 7;\ni * 6')),
  code(lines('class Foo { public int A => 1; }\nnew Foo().A')),
  code(lines('class Foo { public int A => 2; }\nnew Foo().A + 40')),
  code(lines('record Point(int X, int Y);\nFormatter.Register<Point>(p => $"P({p.X},{p.Y})", "text/plain");\nFormatter.SetPreferredMimeTypesFor(typeof(Point), "text/plain");\nnew Point(1, 2)')),
  code(lines('int Sq(int v) => v * v;\nSq(12)')),
  code(lines('int Sq(int v) => v * v * v;\nSq(3)')),
  code(lines('var t = (x, i);\nt.x.Length + t.i + new { x }.x.Length')),
  code(lines('new[] { 1.5, 2.25, 3 }')),
  code(lines('JsonConvert.SerializeObject(new { A = 1, B = new[] { 2, 3 } })')),
  code(lines('JsonConvert.PopulateObject("{}", new Dictionary<string, int>())')),
  code(lines('new[] { new Point(3, 4), new Point(5, 6) }.DisplayTable();')),
  code(lines('HTML("<b>bold</b>")')),
  code(lines('#!time\nvar sum = Enumerable.Range(1, 100).Sum();\nsum')),
  code(lines('#load "helper.csx"\nTwice(21)')),
  code(lines('File.ReadAllText("data.txt").Trim().Length')),
  code(lines('await Task.Delay(1);\nawait Task.FromResult(99)')),
  code(lines('Console.WriteLine("void trailing 5")')),
  code(lines('int AddTotal(int v) => v + total;\nAddTotal(1)')),
  code(lines('int.TryParse("123", out var parsed);\nparsed')),
  code(lines('int.TryParse("456", out var parsed);\nparsed + 1')),
  code(lines('display(new List<int> { 7, 8 });\nstring nothing = null;\nnothing')),
], POLY_META), open("export.ipynb", "w"), indent=1)
# A fuzz seed with every kind of output, attachments, tags and execution counts, as an executed notebook has them.
cells = [
  {"cell_type": "markdown", "metadata": {}, "source": ["![x](attachment:x.png)\n"],
   "attachments": {"x.png": {"image/png": "iVBORw0KGgo="}}},
  dict(code(lines('var profile = "full";\nvar seed = 42;')), metadata={"tags": ["parameters"]}, execution_count=1),
  dict(code(lines('Console.WriteLine("é ✓ 😀");\ndisplay(HTML("<b>b</b>"));\n1 + 1')), execution_count=2, outputs=[
    {"output_type": "stream", "name": "stdout", "text": ["é ✓ 😀\n"]},
    {"output_type": "display_data", "data": {"text/html": ["<b>b</b>"], "text/plain": ["b"], "application/json": {"a": [1, {"b": None}]}},
     "metadata": {"isolated": True}},
    {"output_type": "execute_result", "execution_count": 2, "data": {"text/plain": ["2"]}, "metadata": {}}]),
  dict(code(lines('throw new Exception("boom");')), execution_count=3, outputs=[
    {"output_type": "error", "ename": "Exception", "evalue": "boom", "traceback": ["Exception: boom", "   at Submission#3"]}]),
  {"cell_type": "raw", "metadata": {"format": "text/plain"}, "source": "raw text"},
]
json.dump(nb(cells, POLY_META), open("outputs.ipynb", "w", encoding="utf-8"), indent=1, ensure_ascii=False)
