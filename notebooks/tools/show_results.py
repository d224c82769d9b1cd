#!/usr/bin/env python3
"""Prints the text outputs, errors and ExperimentTable rows of an executed notebook: python3 show_results.py notebooks/03-prompt-tuning.ipynb"""
import json, re, sys, html
nb = json.load(open(sys.argv[1]))
for i, c in enumerate(nb['cells']):
    if c['cell_type'] != 'code': continue
    for o in c.get('outputs', []):
        if o['output_type'] == 'error': print('ERROR', c['execution_count'], o.get('evalue'))
        t = ''.join(o.get('text', []))
        h = ''.join(o.get('data', {}).get('text/html', []))
        if t: print(f'[{c["execution_count"]}] ' + t[-1500:])
        if 'peftkit-results' in h:
            for row in re.findall(r'<tr>(.*?)</tr>', h):
                print(f'[{c["execution_count"]}]  ' + ' | '.join(html.unescape(x) for x in re.findall(r'<td[^>]*>(.*?)</td>', row)))
