"""The command line under bad input (issue 14): every mistake in a file, a record, an option or a checkpoint ends with exit
status 1 (2 for a malformed command line), no traceback, and one message that names the file (and the record or field), what
is wrong and what to do. A few tests run the real command in a subprocess, once per path through `main`; the many data and
option cases call `main` in this process, which prints and exits exactly as the command does, and take milliseconds each."""
import contextlib, copy, io, json, os, shutil, struct, subprocess, sys, zlib
from pathlib import Path
import pytest
import torch
from PIL import Image, ImageDraw
from retinamask.cli import main, _message
from retinamask.coco import UserInputError
from retinamask.reliability import NonFiniteLossError

CATEGORIES = [dict(id=3, name='coin'), dict(id=7, name='card')]
SMALL = ['--set', 'min_size=64', 'max_size=64', 'train_min_sizes=[64]', 'score_thresh=0']  # 64-pixel images; every candidate kept

def write_dataset(folder:Path) -> dict:
    "Four 64 x 48 photos of squares and their COCO file (ids 3 and 7, polygons); the paths as the command line takes them."
    (folder / 'images').mkdir(parents=True)
    images, annotations = [], []
    for k in range(4):
        x, y, side, category = 6 + 9 * k, 4 + 5 * k, 16 + 2 * k, CATEGORIES[k % 2]['id']
        photo = Image.new('RGB', (64, 48), (90, 90, 90))
        ImageDraw.Draw(photo).rectangle([x, y, x + side - 1, y + side - 1], fill=(200, 60, 60) if category == 3 else (60, 200, 60))
        photo.save(folder / 'images' / f'{k}.png')
        images.append(dict(id=k + 1, file_name=f'{k}.png', width=64, height=48))
        annotations.append(dict(id=k + 1, image_id=k + 1, category_id=category, bbox=[x, y, side, side], area=side * side, iscrowd=0,
                                segmentation=[[x, y, x + side, y, x + side, y + side, x, y + side]]))
    (folder / 'ann.json').write_text(json.dumps(dict(images=images, annotations=annotations, categories=CATEGORIES)))
    return dict(ann=folder / 'ann.json', images=folder / 'images', data=json.loads((folder / 'ann.json').read_text()))

def command(*args, env=None, code=None):
    "Run the real command line in a new process: (exit status, stdout, stderr)."
    program = ['-c', code or 'from retinamask.cli import main; main()']
    done = subprocess.run([sys.executable, *program, *map(str, args)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, 'MPLBACKEND': 'Agg', **(env or {})})
    return done.returncode, done.stdout, done.stderr

def run(*args):
    "Call `main` as the command would run: (exit status, what it printed to stderr); stdout is left out."
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try: main([str(a) for a in args]); status = 0
        except SystemExit as e: status = e.code
    return status, err.getvalue()

def refused(status, message, *words, exit_status=1):
    "Test that a command was refused with `exit_status`, no traceback, and a message holding every one of `words`."
    assert status == exit_status, message
    assert 'Traceback' not in message, message
    missing = [w for w in words if w not in message]
    assert not missing, f'{missing} not in: {message}'

@pytest.fixture(scope='session')
def data(tmp_path_factory): return write_dataset(tmp_path_factory.mktemp('coins'))

@pytest.fixture(scope='session')
def run_folder(data, tmp_path_factory):
    "One shared run: one epoch of the tiny model on the four photos, trained by the real command."
    folder = tmp_path_factory.mktemp('runs') / 'run'
    status, out, err = command('train', *coco_args(data), '--epochs', 1, '--bs', 2, '--out', folder, *SMALL)
    assert status == 0 and 'Traceback' not in err, err
    return folder

def coco_args(data, ann=None, images=None, valid=None):
    "The four dataset options, the training file and folder replaced if given."
    return ['--train-ann', ann or data['ann'], '--train-images', images or data['images'], '--valid-ann', valid or data['ann'],
            '--valid-images', data['images']]

def broken(data, folder:Path, change) -> Path:
    "A copy of the dataset's annotation file in which `change(parsed file)` has made a mistake."
    parsed = copy.deepcopy(data['data'])
    change(parsed)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / 'ann.json'
    path.write_text(json.dumps(parsed))
    return path

# --- the real command, one subprocess per path through main

def test_train_refuses_repeated_annotation_ids(data, tmp_path):
    ann = broken(data, tmp_path, lambda d: [a.update(id=1) for a in d['annotations']])
    status, out, err = command('train', *coco_args(data, ann=ann), '--epochs', 1, '--out', tmp_path / 'run')
    refused(status, err, str(ann), "4 records in 'annotations' share the id 1 (annotations[0], annotations[1], annotations[2] and 1 more)",
            'give every record its own id')
    assert err.startswith('retinamask train: error: ') and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / 'run').exists()  # found when the dataset was built, before the run's folder was made

def test_malformed_command_line_exits_2():
    status, out, err = command('train', '--set', 'mask_on', 'false')
    refused(status, err, 'usage: retinamask train', "argument --set: expected FIELD=VALUE, got 'mask_on'", '--set mask_on=false', exit_status=2)

def test_evaluate_without_training_files_writes_out_into_new_folder(data, run_folder, tmp_path):
    out = tmp_path / 'new' / 'folder' / 'evaluation.json'
    status, stdout, err = command('evaluate', run_folder / 'last.pth', '--valid-ann', data['ann'], '--valid-images', data['images'], '--out', out)
    assert status == 0 and 'Traceback' not in err, err
    results = json.loads(out.read_text())
    assert set(results) == {'bbox', 'segm'} and 0 <= results['bbox']['AP'] <= 1
    assert results == json.loads(stdout)

def test_predict_keeps_every_result_by_path(data, run_folder, tmp_path):
    inputs = [tmp_path / 'a' / '1.png', tmp_path / 'b' / '1.png', tmp_path / 'photo.png', tmp_path / 'photo.jpg']
    for path, k in zip(inputs, range(4)):
        path.parent.mkdir(exist_ok=True)
        Image.open(data['images'] / f'{k}.png').convert('RGB').save(path)
    status, out, err = command('predict', run_folder / 'last.pth', *inputs, '--out', tmp_path / 'pred', '--score-thresh', 0)
    assert status == 0 and 'Traceback' not in err, err
    records = json.loads((tmp_path / 'pred' / 'detections.json').read_text())
    assert {r['path'] for r in records} == {str(p) for p in inputs}  # every input has detections (score_thresh 0)
    assert {r['file_name'] for r in records} == {'1.png', 'photo.png', 'photo.jpg'}
    drawings = sorted(str(p.relative_to(tmp_path / 'pred')) for p in (tmp_path / 'pred').rglob('*.png'))
    assert drawings == ['a/1.png.png', 'b/1.png.png', 'photo.jpg.png', 'photo.png.png']

def test_debug_shows_the_traceback(data, tmp_path):
    status, out, err = command('evaluate', tmp_path / 'gone.pth', '--valid-ann', data['ann'], '--valid-images', data['images'], '--debug')
    assert status == 1 and 'Traceback' in err and 'MissingFileError: checkpoint' in err, err
    status, out, err = command('evaluate', tmp_path / 'gone.pth', env={'RETINAMASK_DEBUG': '1'})
    assert status == 1 and 'Traceback' in err and 'gone.pth not found' in err, err

def test_a_bug_keeps_its_traceback_and_says_so():
    code = 'import retinamask.cli as c; c.evaluate = lambda *args: 1 / 0; c.main()'
    status, out, err = command('evaluate', 'any.pth', code=code)
    assert status == 1 and 'Traceback' in err and 'ZeroDivisionError' in err, err
    assert 'retinamask evaluate: this is a bug in retinamask, not a mistake in the input. Please report it at' in err

def test_resume_of_a_finished_run_reports_its_metrics(data, run_folder):
    status, out, err = command('train', *coco_args(data), '--epochs', 1, '--bs', 2, '--out', run_folder, *SMALL, '--resume')
    assert status == 0 and 'Traceback' not in err, err
    assert f'retinamask: warning: {run_folder} has trained 1 epoch already, and --epochs 1 asks for no more' in err
    assert 'to train longer, pass a larger --epochs with --resume' in err
    metrics = json.loads((run_folder / 'metrics.json').read_text())
    assert json.loads(out) == {k: v for k, v in metrics.items() if k != 'per_class_AP'}

# --- data files and records: found when the dataset is built (in this process)

FILE_MISTAKES = {  # name -> (change to the parsed file, words the message must hold besides the file's name)
    'annotations without id': (lambda d: [a.pop('id') for a in d['annotations']],
                               ["annotations[0] (image_id 1) has no 'id' (4 of the 4 annotations lack one)", 'whole-number id']),
    'image id not a number': (lambda d: [d['images'][2].update(id='img-3'), d['annotations'][2].update(image_id='img-3')],
                              ["images[2] (file_name '2.png') has id 'img-3', which is not a whole number", "annotations' image_id"]),
    'category ids as text': (lambda d: [c.update(id=str(c['id'])) for c in d['categories']],
                             ["categories[0] (name 'coin') has id '3', which is not a whole number", 'write it as 3, without quotes']),
    'category id reference as text': (lambda d: d['annotations'][1].update(category_id='7'),
                                      ["annotations[1] (id 2) has category id '7'", 'write it as 7']),
    'duplicate category ids': (lambda d: d['categories'].append(dict(id=7, name='box')),
                               ["2 records in 'categories' share the id 7 (categories[1], categories[2])", 'its own id']),
    'annotation for a missing image': (lambda d: d['annotations'][0].update(image_id=99),
                                       ["annotations[0] (id 1) refers to image id 99", 'add the image record or remove the annotation']),
    'boxes wholly outside the image': (lambda d: [a.update(bbox=[100, 100, 5, 5]) for a in d['annotations']],
                                       ['none of its 4 images has a usable annotation (4 boxes wholly outside the image (dropped)',
                                        'check its boxes ([x, y, width, height]', 'as a validation set']),
    'no images': (lambda d: d.update(images=[], annotations=[]), ['lists no images', 'check that it is the right file']),
}

@pytest.mark.parametrize('mistake', FILE_MISTAKES)
def test_training_file_mistakes(data, tmp_path, mistake):
    change, words = FILE_MISTAKES[mistake]
    ann = broken(data, tmp_path, change)
    refused(*run('train', *coco_args(data, ann=ann), '--out', tmp_path / 'run'), str(ann), *words)
    assert not (tmp_path / 'run').exists()

def test_annotation_file_itself(data, tmp_path):
    (tmp_path / 'empty.json').write_text('')
    refused(*run('train', *coco_args(data, ann=tmp_path / 'empty.json')), 'empty.json is empty (0 bytes)', 'write or download it again')
    (tmp_path / 'cut.json').write_text('{"images": [')
    refused(*run('train', *coco_args(data, ann=tmp_path / 'cut.json')), 'cut.json is not valid JSON', 'download or generate it again')
    (tmp_path / 'list.json').write_text('[]')
    refused(*run('train', *coco_args(data, ann=tmp_path / 'list.json')), "list.json is not a COCO annotation file: it lacks the list(s)")
    refused(*run('train', *coco_args(data, ann=tmp_path)), f'{tmp_path} is a folder, not an annotation file: pass the JSON file itself, e.g.')
    refused(*run('train', *coco_args(data, ann=tmp_path / 'gone.json')), 'annotation file', 'gone.json not found: check the path')

def test_image_problems_found_when_the_dataset_is_built(data, tmp_path):
    def folder_with(name, write):
        images = tmp_path / name
        shutil.copytree(data['images'], images)
        write(images / '2.png')
        return images
    resized = folder_with('resized', lambda p: Image.open(p).resize((32, 24)).save(p))
    refused(*run('train', *coco_args(data, images=resized)), f'{resized}/2.png is 32x24 (width x height) but', 'says 64x48 for image id 3',
            'resized or cropped after it was labelled')
    turn = Image.Exif(); turn[0x0112] = 6  # stored as labelled, but tagged "turn 90 degrees to view"
    turned = folder_with('turned', lambda p: Image.open(p).convert('RGB').save(p, exif=turn))
    refused(*run('train', *coco_args(data, images=turned)), 'is stored as 64x48 (width x height) with an EXIF orientation tag (6) that turns it to 48x64',
            'the labelling tool ignored the tag', 'remove the tag')
    header = b''.join(struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body))
                      for kind, body in ((b'IHDR', struct.pack('>IIBBBBB', 20_000, 20_000, 8, 0, 0, 0, 0)), (b'IEND', b'')))
    bomb = folder_with('bomb', lambda p: p.write_bytes(b'\x89PNG\r\n\x1a\n' + header))  # 400 million pixels, no pixel data
    refused(*run('train', *coco_args(data, images=bomb)), 'image id 3', '2.png is too large to read', 'shrink it')
    text = folder_with('text', lambda p: p.write_text('not an image'))
    refused(*run('train', *coco_args(data, images=text)), 'ann.json, image id 3:', '2.png could not be read as an image', 'or remove its record')
    missing = folder_with('missing', lambda p: p.unlink())
    refused(*run('train', *coco_args(data, images=missing)), '1 of the 4 images that', "(first: ['2.png']): check the image folder")
    refused(*run('train', *coco_args(data, images=tmp_path / 'nowhere')), 'nowhere not found: pass the folder that holds the images')
    refused(*run('train', *coco_args(data, images=data['ann'])), 'ann.json is a file, not a folder')

def test_image_truncated_mid_epoch(data, tmp_path):
    images = tmp_path / 'cut'
    shutil.copytree(data['images'], images)
    whole = (images / '2.png').read_bytes()
    (images / '2.png').write_bytes(whole[:len(whole) // 2])  # its header is whole: only decoding finds it
    status, message = run('train', *coco_args(data, images=images), '--epochs', 1, '--bs', 4, '--out', tmp_path / 'run', *SMALL)
    refused(status, message, 'ann.json, image id 3:', '2.png could not be read as an image', 'or remove its record')

def test_validation_categories(data, run_folder, tmp_path):
    renamed = broken(data, tmp_path / 'renamed', lambda d: d['categories'][0].update(name='token'))
    refused(*run('train', *coco_args(data, valid=renamed)), f'{renamed} names its categories differently from the training file {data["ann"]}',
            "id 3 is 'token' in the file, 'coin' in the training file", 'give both files the same category list')
    checkpoint = run_folder / 'last.pth'
    refused(*run('evaluate', checkpoint, '--valid-ann', renamed, '--valid-images', data['images']),
            f'names its categories differently from the checkpoint {checkpoint}')
    other = broken(data, tmp_path / 'other', lambda d: [d['categories'].append(dict(id=9, name='key')), d['annotations'][0].update(category_id=9)])
    refused(*run('evaluate', checkpoint, '--valid-ann', other, '--valid-images', data['images']),
            f'uses category ids [9] (key) that the checkpoint {checkpoint} lacks (it has coin (id 3), card (id 7))')

def test_boxes_written_as_corners_warn(data, run_folder, tmp_path):
    corners = broken(data, tmp_path, lambda d: [a.update(bbox=[a['bbox'][0], a['bbox'][1], a['bbox'][0] + a['bbox'][2], a['bbox'][1] + a['bbox'][3]])
                                                 for a in d['annotations']])
    status, message = run('evaluate', run_folder / 'last.pth', '--valid-ann', corners, '--valid-images', data['images'])
    assert status == 0, message
    assert f'retinamask: warning: {corners}: 4 of the 4 boxes with a polygon frame it only when read as corners [x1, y1, x2, y2]' in message
    assert "COCO's bbox is [x, y, width, height]; convert them (width = x2 - x1, height = y2 - y1)" in message

# --- options

def test_dataset_options(data, run_folder, tmp_path):
    refused(*run('train', '--train-ann', data['ann']), '--train-ann given without --train-images, --valid-ann, --valid-images')
    refused(*run('train', '--valid-ann', data['ann'], '--valid-images', data['images']),
            '--valid-ann, --valid-images given without --train-ann, --train-images')
    refused(*run('evaluate', run_folder / 'last.pth', '--train-ann', data['ann']), 'given without --valid-ann, --valid-images',
            '(evaluate reads only the validation set)')
    refused(*run('train', *coco_args(data), '--data', 'hard'), '--data hard and --train-ann both name a dataset')
    refused(*run('train', *coco_args(data), '--num-train', 10), '--num-train and --num-val size the built-in dataset')
    refused(*run('train', '--data', tmp_path / 'nowhere'), 'is neither a built-in setting', 'nor a folder')
    shutil.copy(data['ann'], tmp_path / 'instances.json')
    refused(*run('train', '--data', tmp_path), 'is not a COCO 2017 folder (it lacks annotations/instances_train2017.json',
            "It holds ['instances.json']: pass a COCO-format dataset as --train-ann FILE --train-images FOLDER")

def test_config_and_count_options():
    refused(*run('train', '--set', 'mask_onn=false'), "'mask_onn' is not a config field: did you mean mask_on", exit_status=2)
    refused(*run('train', '--set', 'lr=0.1'), "'lr' is not a config field; the fields are num_classes, backbone", exit_status=2)
    refused(*run('train', '--set', 'mask_on=flase'), "mask_on takes true or false, e.g. mask_on=true, not 'flase'", exit_status=2)
    refused(*run('train', '--set', 'train_min_sizes=64'), 'train_min_sizes takes a list such as [1, 2], e.g. train_min_sizes=[800]', exit_status=2)
    refused(*run('train', '--set', 'norm=batch'), "--preset tiny with --set norm=batch: RetinaMaskConfig: norm must be 'none' or 'gn'")
    refused(*run('train', '--epochs', 0), 'argument --epochs: must be at least 1, got 0', exit_status=2)
    refused(*run('train', '--bs', 'eight'), "argument --bs: expected a whole number, got 'eight'", exit_status=2)
    refused(*run('train', '--preset', 'r18'), "argument --preset: invalid choice: 'r18'", exit_status=2)
    refused(*run('predict', 'x.pth', 'x.png', '--score-thresh', 2), 'argument --score-thresh: must be at least 0 and at most 1, got 2', exit_status=2)
    refused(*run('ablate', '--table', '4'), 'argument --table: invalid choice: 4', exit_status=2)
    refused(*run('demo', '--epochs', 0), '--epochs 0: a run trains at least one epoch')

def test_output_paths(data, run_folder, tmp_path):
    checkpoint = run_folder / 'last.pth'
    refused(*run('evaluate', checkpoint, '--valid-ann', data['ann'], '--valid-images', data['images'], '--out', tmp_path),
            f'--out {tmp_path} is a folder: name a file to write the metrics to, e.g. {tmp_path}/evaluation.json')
    (tmp_path / 'file').write_text('')
    refused(*run('train', *coco_args(data), '--out', tmp_path / 'file'), f'--out {tmp_path}/file is a file: name a folder to write into')
    refused(*run('predict', checkpoint, data['images'] / '0.png', '--out', data['images']),
            f"--out {data['images']} would overwrite the input {data['images']}/0.png with its drawing")

# --- checkpoints and resuming

def test_checkpoint_files(data, run_folder, tmp_path):
    refused(*run('evaluate', run_folder), f'{run_folder} is a folder, not a checkpoint: pass the checkpoint file in it, {run_folder}/last.pth')
    refused(*run('predict', tmp_path / 'gone.pth', data['images'] / '0.png'), 'gone.pth not found', 'give the path of an existing checkpoint')
    (tmp_path / 'cut.pth').write_bytes((run_folder / 'last.pth').read_bytes()[:5000])
    refused(*run('evaluate', tmp_path / 'cut.pth'), 'cut.pth could not be read as a checkpoint', 'use another copy or an earlier checkpoint')
    torch.save({'weights': torch.zeros(2)}, tmp_path / 'other.pth')
    refused(*run('evaluate', tmp_path / 'other.pth'), "other.pth is a PyTorch file but not a retinamask checkpoint: it lacks ['model', 'config']")
    (tmp_path / 'notes.txt').write_text('not an image')
    status, message = run('predict', run_folder / 'last.pth', tmp_path / 'notes.txt', '--out', tmp_path / 'pred')
    refused(status, message, 'notes.txt could not be read as an image', 'it is truncated or not an image; replace it')
    assert 'record' not in message
    refused(*run('predict', run_folder / 'last.pth', data['images'], '--out', tmp_path / 'pred'), 'is a folder, not an image file')

def test_resume_mismatch(data, run_folder, tmp_path):
    copy_ = tmp_path / 'run'
    shutil.copytree(run_folder, copy_)
    refused(*run('train', *coco_args(data), '--epochs', 2, '--out', copy_, *SMALL, 'mask_on=false', '--resume'),
            'last.pth was trained with another config (mask_on: true there, false now)',
            "resume with the options of that run, --preset tiny --set score_thresh=0 min_size=64 max_size=64 'train_min_sizes=[64]'",
            'or train into a new --out folder')
    renamed = broken(data, tmp_path / 'renamed', lambda d: d['categories'][1].update(name='ticket'))
    refused(*run('train', *coco_args(data, ann=renamed, valid=renamed), '--epochs', 2, '--out', copy_, *SMALL, '--resume'),
            "was trained on the categories ['coin', 'card'] (ids [3, 7]), but this training data has ['coin', 'ticket']",
            f"resume with the data of that run (--train-ann {data['ann']}")
    refused(*run('train', '--out', tmp_path / 'fresh', '--resume'), 'checkpoint', 'not found', 'start it again without resuming (no --resume)')
    assert (copy_ / 'last.pth').read_bytes() == (run_folder / 'last.pth').read_bytes()  # refused before anything was written

def test_init_sources(run_folder, tmp_path):
    "--init names the model a run starts from: one that cannot be found, read or trained on the data is refused before any work."
    refused(*run('train', '--init', tmp_path / 'gone.pth'), '--init:', 'gone.pth: no such file; give torchvision:NAME[:WEIGHTS]')
    refused(*run('train', '--init', 'torchvision:retinanet_resnet18_fpn'), "--init: unknown torchvision RetinaNet 'retinanet_resnet18_fpn'",
            'retinanet_resnet50_fpn_v2')
    refused(*run('train', '--init', 'torchvision:retinanet_resnet50_fpn:COCO_V2'), "retinanet_resnet50_fpn has no weight set 'COCO_V2'", 'COCO_V1')
    (tmp_path / 'cut.pth').write_bytes((run_folder / 'last.pth').read_bytes()[:5000])
    refused(*run('train', '--init', tmp_path / 'cut.pth'), 'cut.pth could not be read as a PyTorch checkpoint')
    torch.save({'weights': torch.zeros(2)}, tmp_path / 'other.pth')
    refused(*run('train', '--init', tmp_path / 'other.pth'), 'other.pth is not an official RetinaMask or RetinaNet checkpoint',
            "its first keys are ['weights']")
    refused(*run('train', '--init', run_folder / 'last.pth', '--num-train', 4, '--num-val', 2, '--set', 'freeze_detector=true',
                 '--out', tmp_path / 'run'), "the classes ['circle', 'triangle', 'square'] are new to the detector, and freeze_detector")
    assert not (tmp_path / 'run').exists()

# --- the handler's pieces

def test_messages_unwrapped():
    "A message raised in a data-loading process, or in a fastai callback, reaches the user without the wrapping."
    try: raise UserInputError('ann.json, image id 3: 2.png could not be read as an image')
    except UserInputError: wrapper = torch._utils.ExceptionWrapper(sys.exc_info(), where='in DataLoader worker process 0')
    with pytest.raises(UserInputError) as caught: wrapper.reraise()
    assert 'Original Traceback' in str(caught.value)
    assert _message(caught.value) == 'ann.json, image id 3: 2.png could not be read as an image'
    fastai_style = NonFiniteLossError('Exception occured in `NonFiniteLossGuard` when calling event `before_step`:\n\ttraining stopped at epoch 0')
    assert isinstance(fastai_style, UserInputError) and _message(fastai_style) == 'training stopped at epoch 0'

def test_repairable_problems_are_counted_once(data, run_folder, tmp_path):
    "What can be repaired is, and the command says so in one line: a NaN box, a box of no size, a two-point polygon part."
    def mess(d):
        d['annotations'][0]['bbox'] = [1, float('nan'), 4, 4]
        d['annotations'][1]['bbox'] = [10, 10, 0, 5]
        d['annotations'][2]['segmentation'].append([1, 1, 5, 5])
    messy = broken(data, tmp_path, mess)
    status, message = run('evaluate', run_folder / 'last.pth', '--valid-ann', messy, '--valid-images', data['images'])
    assert status == 0 and 'Traceback' not in message, message
    assert message.count('retinamask: warning:') == 1, message
    assert (f'retinamask: warning: {messy}: 1 boxes missing or not finite (dropped); 1 boxes under 1 px (dropped); 1 polygon parts with '
            'fewer than 3 points (removed), out of 4 annotations and 4 images') in message

def test_interrupted(monkeypatch):
    def interrupted(*args): raise KeyboardInterrupt
    monkeypatch.setattr('retinamask.cli.train', interrupted)
    refused(*run('train'), 'retinamask train: interrupted; continue from the last checkpoint with the same command and --resume', exit_status=130)
