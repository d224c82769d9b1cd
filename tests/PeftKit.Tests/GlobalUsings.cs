// The namespaces nearly every test file reads (the model types, the kit's setup, TorchSharp's tensor API).
global using PeftKit.Models;
global using PeftKit.Setup;
global using TorchSharp;
global using static TorchSharp.torch;
