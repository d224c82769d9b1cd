using System.CommandLine;
using System.CommandLine.Invocation;
using PeftKit.Cli;
using PeftKit.Cli.Commands;

// The `kit` command. Each verb lives in Commands/<Verb>Command.cs and is listed here.
var root = new RootCommand("PeftKit: parameter-efficient fine-tuning in C#, with notebooks that teach it." +
                           ExitCode.Describe("the work failed (each verb's --help says how)", "a notebook cell timed out (kit run)"))
{
    DoctorCommand.Create(),
    RunCommand.Create(),
    VerifyCommand.Create(),
    ExportCommand.Create(),
    DataCommand.Create(),
    PretrainCommand.Create(),
    BenchCommand.Create(),
};
var parse = root.Parse(args);
// System.CommandLine answers a parse error (unknown option, missing argument, a value outside AcceptOnlyFromAmong, a
// value of the wrong type) with exit code 1; every verb documents 2 for bad arguments, so it is mapped here, once.
if (parse.Action is ParseErrorAction)
{
    await parse.InvokeAsync();
    return ExitCode.BadArguments;
}
return await parse.InvokeAsync();
