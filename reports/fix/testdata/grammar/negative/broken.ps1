# deliberately broken: the grammar check must reject these files
if ($x { 'a'
$a = 'x'; Stop-Computer
